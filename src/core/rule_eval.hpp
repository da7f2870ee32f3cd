// Evaluation of the compiled form (rule_ir.hpp) against a cart, or one cart line for item
// conditions. Integer and money arithmetic saturates at the int64 limits instead of
// overflowing; a division by zero computed at run time yields 0 (a literal zero divisor is
// already rejected by the checker); money / integer truncates toward zero.
#pragma once
#include "core/cpp_only.hpp"
#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <string_view>

namespace promo::rule {

// What an expression can read: the cart (cart-level nodes), the current line (item nodes) and
// the customer-side facts (customer nodes; null reads as a guest at now() = 0 in UTC).
// Constant nodes read none of them.
struct Env {
  const Cart* cart = nullptr;
  const CartItem* item = nullptr;
  const Facts* facts = nullptr;
};

// A time value: µs since the Unix epoch, kMinusInfinity/kPlusInfinity at the ends, or null (an
// unknown signed_up_at). Comparisons with null are false, except <> which is true.
struct TimeValue {
  bool null = false;
  int64_t at = 0;
};

bool eval_bool(const Ir& ir, int node, const Env& env);
// Integer and money nodes (money in minor units).
int64_t eval_int(const Ir& ir, int node, const Env& env);
// String nodes.
std::string_view eval_string(const Ir& ir, int node, const Env& env);
// Time nodes.
TimeValue eval_time(const Ir& ir, int node, const Env& env);

// `t` shifted by `micros`; infinite times stay infinite, results beyond the int64 range become
// kMinusInfinity / kPlusInfinity. Non-decreasing in `t`.
int64_t shift_time(int64_t t, int64_t micros);

// The calendar of `env` (UTC when none).
const Calendar& calendar_of(const Env& env);

// The attribute `key` of `item` (binary search over the sorted attributes), or nullptr.
const AttributeValue* find_attribute(const CartItem& item, std::string_view key);

}  // namespace promo::rule
