// The rule language: conditions, item conditions and count expressions, as written in
// promo.tiers.condition and in a discount's `target` and `max_units`. This header is the whole
// public surface; the lexer, parser, checker, compiler and printer stay behind it.
#pragma once
#include "core/cpp_only.hpp"
#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/customer.hpp"
#include "core/error.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <functional>
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
  kSegment,        // customer level, boolean, no cart: a segment definition
};

// Everything a rule can read while it is evaluated; rules only see it through const references.
// History functions read events with occurred_at <= now: count('t') counts them,
// count('t', since => x) those with x <= occurred_at <= now, within => d means since now() - d,
// last('t') is the latest (or -infinity). A missing customer (a guest) has no history, no
// attributes, signed_up_at null, and is in no segment.
struct Facts {
  const Cart* cart = nullptr;                   // null for kSegment
  const CustomerFacts* customer = nullptr;      // null: a guest
  const SegmentMembership* segments = nullptr;  // null: in no segment
  const Calendar* calendar = nullptr;           // null: UTC
  int64_t now = 0;                              // now(), µs since the Unix epoch
};

// Names a rule may use beyond the built-in ones, resolved at compile time.
struct Environment {
  // Scales money literals; required in kCondition, kItemCondition and kCount. In kSegment it
  // may be null, and then a money-typed expression is a compile error.
  const Currency* currency = nullptr;
  // in_segment('name') -> segment id; nullopt or an empty function: "unknown segment 'x' at L:C"
  // (SQLSTATE 42704).
  std::function<std::optional<uint32_t>(std::string_view)> resolve_segment;
};

// What a rule reads, for loading only what is needed and re-evaluating only what can change.
struct Dependencies {
  std::vector<std::string> event_types;  // sorted, unique: types named in count()/last()
  std::vector<uint32_t> segments;        // sorted, unique: ids named in in_segment()
  bool customer_fields = false;          // signed_up_at or customer.<attribute>
  bool time = false;                     // now(), start_of_*(), within =>
  bool cart = false;                     // any cart or item name
};

// Why a condition is false: reason_code is "not_in_segment" when the first failing part is an
// in_segment() call (text "not in segment abandoned-cart"), otherwise "condition_failed".
struct Explanation {
  std::string reason_code;
  std::string text;
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

  // kCondition and kSegment.
  virtual bool eval_condition(const Facts& facts) const = 0;
  // kItemCondition only.
  virtual bool matches(const CartItem& item) const = 0;
  // kCount only; may be negative (callers clamp).
  virtual int64_t eval_count(const Facts& facts) const = 0;

  // kCondition only, when eval_condition is false: which part failed, in words a support agent
  // can read, with the cart's value, e.g. "subtotal >= 50.00 is false (subtotal is 30.00)".
  virtual std::string explain_failure(const Facts& facts) const = 0;
  // explain_failure with its machine-readable reason code (see Explanation).
  virtual Explanation explain(const Facts& facts) const = 0;

  // kCondition only, when eval_condition is false: what the shopper could add to the cart to
  // make it true; nullopt when adding to the cart cannot make it true (e.g. a `not has(...)`
  // part fails, or `subtotal < 100.00`). For `or`, the first alternative reachable by adding.
  // Every returned need must be met (they are conjunctive). Customer-side parts (segments,
  // history, customer fields) are never reachable by adding to the cart.
  virtual std::optional<std::vector<Need>> missing(const Facts& facts) const = 0;

  // kCondition only; the split of the condition into its customer side (segments, customer
  // fields, history, time) and its cart side (cart and item names), for and/or/not.
  // customer_holds: whether some cart could make the condition true for this customer, i.e. the
  // condition evaluated with every cart part unknown (three-valued) is not definitely false.
  // facts.cart is not read (may be null).
  virtual bool customer_holds(const Facts& facts) const = 0;
  // cart_needs, when customer_holds: the cart-side parts still unmet, conjunctive. Without a
  // cart (facts.cart null) every cart part as written ("subtotal >= 50.00"); with a cart only
  // the unmet ones, in hint words when adding can meet them ("subtotal 2500 short"). A mixed
  // `or` whose customer-side alternative is true needs nothing ([]); otherwise the cart
  // alternatives joined with " or " (see rule_split.cpp for the exact wording).
  virtual std::vector<Need> cart_needs(const Facts& facts) const = 0;

  virtual const Dependencies& dependencies() const = 0;

  // kSegment and kCondition: appends a superset of the instants at which eval_condition may
  // change value as `now` moves (with the history fixed), so that the value is constant on
  // [t_i, t_{i+1}) between consecutive sorted instants. Uses the customer's event times,
  // signed_up_at, the calendar's boundaries after them, offsets such as `- '2 days'`, and
  // segments->boundaries() of the segments read. Strict comparisons contribute t and t + 1.
  virtual void critical_times(const Facts& facts, std::vector<int64_t>& out) const = 0;

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
// rule" (SQLSTATE 42601 syntax, 42804 type, 42883 unknown function, 42703 unknown field,
// 42704 unknown segment, 22007 bad interval literal such as '2 dayz' or '1 month').
// Callers prefix the field name ("condition: ...").
std::shared_ptr<const Program> compile(std::string_view text, Context context,
                                       const Environment& environment);
// Shorthand for rules that name no segment.
std::shared_ptr<const Program> compile(std::string_view text, Context context,
                                       const Currency& currency);

}  // namespace promo::rule
