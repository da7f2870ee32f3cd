// The split of a condition into its customer side (segments, customer fields, history, time)
// and its cart side (cart and item names), for and/or/not combinations. Used to tell a customer
// which promotions they can get before they have a cart (promo.qualifications) and what the
// cart still needs.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <vector>

namespace promo::rule {

// Three-valued truth: cart parts are unknown when the customer side is evaluated alone.
enum class Truth { kFalse, kTrue, kUnknown };

// True when the subtree at `node` reads the cart (subtotal, quantity, has(), quantity(),
// amount() or an item field).
bool reads_cart(const Ir& ir, int node);

// Evaluates `node` with every cart-reading part unknown (Kleene logic for and/or/not): false
// only when the customer side alone makes the condition false, whatever the cart.
Truth eval_customer_side(const Ir& ir, int node, const Facts& facts);

// The cart-side parts still unmet once the customer side is known (see Program::cart_needs).
std::vector<Need> cart_needs(const Ir& ir, const Facts& facts);

}  // namespace promo::rule
