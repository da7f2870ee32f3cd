// The rule checker: resolves names against rule_names, infers and checks types, turns untyped
// number literals into integers, money (minor units of the currency) or exact decimals, and
// emits the compiled form (rule_ir.hpp).
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule_ast.hpp"
#include "core/rule_ir.hpp"

namespace promo::rule {

// Throws promo::Error with the position of the offending part: 42804 type errors, 42883 unknown
// or misused functions, 42703 unknown or misused fields, 22012 division by a literal zero,
// 22003 a money literal out of range.
// `environment.currency` scales money literals; without one (kSegment) money is a type error.
Ir check(const Ast& ast, Context context, const Environment& environment);

}  // namespace promo::rule
