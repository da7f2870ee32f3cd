// A tier's discount: parsed and validated from its JSON definition, compiled once, and applied to
// a cart's current line amounts (what earlier promotions left on each line).
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/money.hpp"
#include "core/rule.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace promo {

// A compiled discount definition. Exactly one of percent_off / amount_off / fixed_price is set
// (see `kind`); target, max_units and max_amount are optional refinements.
struct Discount {
  enum class Kind { kPercentOff, kAmountOff, kFixedPrice };
  Kind kind = Kind::kPercentOff;
  Percent percent;     // kPercentOff
  int64_t amount = 0;  // kAmountOff: order amount; kFixedPrice: price per unit (minor units)

  std::shared_ptr<const rule::Program> target;     // kItemCondition; null = every line
  std::optional<int64_t> max_units_constant;       // "max_units": 3
  std::shared_ptr<const rule::Program> max_units;  // "max_units": "quantity(sku = 'A') / 3"
  std::optional<int64_t> max_amount;               // cap on the whole discount (minor units)
};

// Parses and validates a discount JSON text for a promotion in `currency`. Throws
// promo::Error(22023) naming the path and the offending value, e.g.
// "discount.percent_off must be greater than 0 and at most 100, got 150"; rule errors inside
// `target` / `max_units` keep their own SQLSTATE and are prefixed "discount.target: ".
Discount parse_discount(std::string_view json_text, const Currency& currency);

// Why a computed discount came out as zero, for the nothing_to_discount explanation.
enum class EmptyReason { kNone, kNoEligibleLine, kNoUnits, kNothingLeft };

// What one discount takes from each line: per_line[i] <= remaining[i], summing to `total`.
struct DiscountOutcome {
  std::vector<int64_t> per_line;
  int64_t total = 0;
  EmptyReason empty_reason = EmptyReason::kNone;  // set when total == 0
};

// Applies `discount` to the cart whose current line amounts are `remaining` (one per item,
// 0 <= remaining[i] <= item.line_total). Eligibility (target) and the cheapest-units order use
// the ORIGINAL items; amounts use `remaining`. Semantics (decided in the product brief):
//  - max_units N: the N cheapest eligible units by original unit_price (ties: lower line index);
//    line i contributes u_i of its q_i units, base_i = remaining_i * u_i / q_i rounded half-up.
//  - percent_off p: d_i = percent_of(base_i, p), per line, half-up.
//  - amount_off A: min(A, sum base) allocated over base_i by largest remainder.
//  - fixed_price F: d_i = max(0, base_i - F * u_i).
//  - max_amount M: when sum d_i > M, M is re-allocated over d_i by largest remainder.
// `facts` feeds the max_units count expression (conditions read the original cart).
DiscountOutcome apply_discount(const Discount& discount, const Cart& cart,
                               std::span<const int64_t> remaining, const rule::Facts& facts);

}  // namespace promo
