// Words for a condition that is false: which part failed (for support agents) and what the
// shopper could add to the cart to make it true (for hints).
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <optional>
#include <string>
#include <vector>

namespace promo::rule {

// The first failing conjunct of the top-level `and` (a failing `or` is reported whole), printed
// canonically with the cart's values: "subtotal >= 50.00 is false (subtotal is 30.00)".
std::string explain_failure(const Ir& ir, const Cart& cart);

// What adding to the cart would make the condition true; nullopt when adding cannot (see
// Program::missing). Assumes every item condition can be met by some item one could add.
std::optional<std::vector<Need>> missing(const Ir& ir, const Cart& cart);

}  // namespace promo::rule
