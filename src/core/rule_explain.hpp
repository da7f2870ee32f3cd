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
// canonically with the cart's and the customer's values: "subtotal >= 50.00 is false (subtotal
// is 30.00)", "count('coupon_redeemed', since => start_of_month()) >= 1 is false (count is
// 0)". When that conjunct is in_segment('x'): reason_code "not_in_segment", text "not in
// segment x"; otherwise "condition_failed".
Explanation explain(const Ir& ir, const Facts& facts);

// What adding to the cart would make the condition true; nullopt when adding cannot (see
// Program::missing), which includes every customer-side part (segments, history, customer
// fields, time). Assumes every item condition can be met by some item one could add.
std::optional<std::vector<Need>> missing(const Ir& ir, const Facts& facts);

}  // namespace promo::rule
