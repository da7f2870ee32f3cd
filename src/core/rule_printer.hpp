// Canonical text of a compiled rule: lower-case keywords, single spaces, the fewest parentheses
// the precedence allows, strings re-quoted, money literals with the currency's decimals.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <string>

namespace promo::rule {

std::string print(const Ir& ir, int node);

// Minor units as major units with `exponent` decimals: 5000, 2 -> "50.00"; -5, 2 -> "-0.05".
std::string format_money(int64_t minor, int exponent);

}  // namespace promo::rule
