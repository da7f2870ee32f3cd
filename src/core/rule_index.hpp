// Index facts of a compiled rule: the (field, value) keys some cart item must have for the rule
// to be true, and the smallest subtotal for which it can be true. Both are necessary
// conditions only, never guesses: a promotion skipped by them could not have applied.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <optional>

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

// For kCondition (cart level) and kItemCondition; kCount rules are unconstrained.
KeyRequirement required_keys(const Ir& ir);

// For kCondition: subtotal >= X -> X, subtotal > X -> X+1, amount(c) likewise (line totals are
// never negative, so amount(c) <= subtotal), `and` -> max, `or` -> min, anything else 0.
int64_t min_subtotal(const Ir& ir);

}  // namespace promo::rule
