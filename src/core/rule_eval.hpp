// Evaluation of the compiled form (rule_ir.hpp) against a cart, or one cart line for item
// conditions. Integer and money arithmetic saturates at the int64 limits instead of
// overflowing; a division by zero computed at run time yields 0 (a literal zero divisor is
// already rejected by the checker); money / integer truncates toward zero.
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <string_view>

namespace promo::rule {

// What an expression can read: the cart (cart-level nodes) and the current line (item nodes).
// Constant nodes read neither, so both may be null for them.
struct Env {
  const Cart* cart = nullptr;
  const CartItem* item = nullptr;
};

bool eval_bool(const Ir& ir, int node, const Env& env);
// Integer and money nodes (money in minor units).
int64_t eval_int(const Ir& ir, int node, const Env& env);
// String nodes.
std::string_view eval_string(const Ir& ir, int node, const Env& env);

// The attribute `key` of `item` (binary search over the sorted attributes), or nullptr.
const AttributeValue* find_attribute(const CartItem& item, std::string_view key);

}  // namespace promo::rule
