// Index facts of a compiled rule: the (field, value) keys some cart item must have for the rule
// to be true, and the smallest subtotal for which it can be true. Both are necessary
// conditions only, never guesses: a promotion skipped by them could not have applied.
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promo::rule {

// A comparison read as `subject cmp bound` with the constant on the right (`50.00 <= subtotal`
// becomes `subtotal >= 50.00`).
struct Atom {
  int subject = -1;
  Cmp cmp = Cmp::kEq;
  int64_t bound = 0;
};

// `node` as an Atom when it compares a non-constant integer/money expression with a constant.
std::optional<Atom> as_atom(const Ir& ir, int node);

// Key fields: "sku", "category", "attributes.<key>" (a string attribute of the item), or several
// of them joined with kKeyFieldJoin in name order (one item must have every part); the value of a
// joined key joins the parts' values with kKeyValueJoin.
inline constexpr char kKeyFieldJoin = '+';
inline constexpr char kKeyValueJoin = '\x1f';
inline constexpr std::string_view kAttributeKeyPrefix = "attributes.";

// For kCondition (cart level) and kItemCondition; kCount rules are unconstrained.
KeyRequirement required_keys(const Ir& ir);

// The item's value for a key field (into `out`); false when the item has no value for some part
// (an attribute missing or not a string). A requirement holds for an item exactly when one of
// its keys' values equals the item's value for that key's field.
bool item_key_value(const CartItem& item, std::string_view field, std::string& out);
// Appends the item's value for one part of a field; false when it has none.
bool append_key_part(const CartItem& item, std::string_view part, std::string& out);

// For kCondition: subtotal >= X -> X, subtotal > X -> X+1, amount(c) likewise (line totals are
// never negative, so amount(c) <= subtotal), `and` -> max, `or` -> min, anything else 0.
int64_t min_subtotal(const Ir& ir);

}  // namespace promo::rule
