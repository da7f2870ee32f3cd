// The rule language: conditions, item conditions and count expressions, as written in
// promo.tiers.condition and in a discount's `target` and `max_units`. This header is the whole
// public surface; the lexer, parser, checker, compiler and printer stay behind it.
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promo::rule {

// What a rule is used for, which decides the names in scope and the result type.
enum class Context {
  kCondition,      // cart level, boolean: a tier's condition
  kItemCondition,  // item level, boolean: a discount's target, the argument of has()/quantity()
  kCount,          // cart level, integer: a discount's max_units
};

// Everything a rule can read while it is evaluated. Customer-side facts join this struct when
// segments and history arrive; rules only ever see it through const references.
struct Facts {
  const Cart* cart = nullptr;
};

// A need is a piece of a failed condition the shopper can satisfy by adding to the cart.
struct Need {
  std::string text;  // e.g. "subtotal 2500 short", "add 1 more unit matching sku = 'SOCKS'"
};

// A necessary condition on the cart, used to index promotions: when `constrained`, the rule can
// only be true if some item has one of the listed (field, value) pairs. field is "sku" or
// "category".
struct KeyRequirement {
  bool constrained = false;
  std::vector<std::pair<std::string, std::string>> keys;
};

class Program {
 public:
  virtual ~Program() = default;

  virtual Context context() const = 0;

  // kCondition only.
  virtual bool eval_condition(const Facts& facts) const = 0;
  // kItemCondition only.
  virtual bool matches(const CartItem& item) const = 0;
  // kCount only; may be negative (callers clamp).
  virtual int64_t eval_count(const Facts& facts) const = 0;

  // kCondition only, when eval_condition is false: which part failed, in words a support agent
  // can read, with the cart's value, e.g. "subtotal >= 50.00 is false (subtotal is 30.00)".
  virtual std::string explain_failure(const Facts& facts) const = 0;

  // kCondition only, when eval_condition is false: what the shopper could add to the cart to
  // make it true; nullopt when adding to the cart cannot make it true (e.g. a `not has(...)`
  // part fails, or `subtotal < 100.00`). For `or`, the first alternative reachable by adding.
  // Every returned need must be met (they are conjunctive).
  virtual std::optional<std::vector<Need>> missing(const Facts& facts) const = 0;

  // Index facts for kCondition (see KeyRequirement) and the smallest subtotal for which the
  // condition can be true (0 when unknown).
  virtual const KeyRequirement& required_keys() const = 0;
  virtual int64_t min_subtotal() const = 0;

  // Canonical text: lower-case keywords, single spaces, minimal parentheses, money literals with
  // the currency's decimals. compile(print(p)) prints the same text again.
  virtual std::string print() const = 0;
};

// Parses, type-checks and compiles `text`. Money literals are major units of `currency`
// (50.00 USD = 5000 minor units). On failure throws promo::Error whose message ends with the
// position, e.g. "unknown function 'subtotl' at 1:1", "expected ')' at 1:17, found end of
// rule" (SQLSTATE 42601 syntax, 42804 type, 42883 unknown function, 42703 unknown field).
// Callers prefix the field name ("condition: ...").
std::shared_ptr<const Program> compile(std::string_view text, Context context,
                                       const Currency& currency);

}  // namespace promo::rule
