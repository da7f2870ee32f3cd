// Discount definitions: JSON parsing/validation and application to line amounts. All money is
// integer minor units; rounding and allocation go through money.hpp only.
#include "core/discount.hpp"

#include "core/decimal.hpp"
#include "core/json.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace promo {
namespace {

using json::Value;

// Throws the 22023 error every discount validation failure uses.
[[noreturn]] void fail(std::string message) {
  throw Error(sqlstate::kInvalidParameterValue, std::move(message));
}

// Renders a JSON value for an error message the way the user wrote it (numbers as written,
// strings quoted), so "got 150" / "got \"ten\"" / "got an object".
std::string describe(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return value.boolean ? "true" : "false";
    case Value::Kind::kNumber:
      return value.text;
    case Value::Kind::kString:
      return "\"" + value.text + "\"";
    case Value::Kind::kArray:
      return "an array";
    case Value::Kind::kObject:
      return "an object";
  }
  return "?";
}

// The value of a JSON number that is an integer (1e3 and 10.0 count), or nullopt.
std::optional<int64_t> integer_of(const Value& value) {
  if (value.kind != Value::Kind::kNumber) return std::nullopt;
  std::optional<Decimal> d = Decimal::parse(value.text);
  if (!d || !d->is_integer()) return std::nullopt;
  return d->to_int64();
}

// Re-throws a rule compilation error with the discount path in front, keeping its SQLSTATE.
std::shared_ptr<const rule::Program> compile_part(const std::string& text, rule::Context context,
                                                  const Currency& currency, const char* path) {
  try {
    return rule::compile(text, context, currency);
  } catch (const Error& error) {
    throw Error(error.sqlstate(), std::string(path) + ": " + error.what(), error.detail(),
                error.hint());
  }
}

// percent_off: a JSON number with 0 < p <= 100 and at most 4 decimals.
Percent parse_percent(const Value& value) {
  const std::string got = describe(value);
  if (value.kind != Value::Kind::kNumber) {
    fail("discount.percent_off must be a number, got " + got);
  }
  std::optional<Decimal> d = Decimal::parse(value.text);
  if (!d || compare(*d, Decimal{0, 0}) <= 0 || compare(*d, Decimal{100, 0}) > 0) {
    fail("discount.percent_off must be greater than 0 and at most 100, got " + got);
  }
  std::optional<Percent> p = Percent::from_decimal(*d);
  if (!p) fail("discount.percent_off may have at most 4 decimals, got " + got);
  return *p;
}

// The keys a discount object may have, in the order they are reported.
constexpr std::string_view kKinds[] = {"percent_off", "amount_off", "fixed_price"};
constexpr std::string_view kOptional[] = {"target", "max_units", "max_amount"};

// Rejects any key outside the known set, naming the first one found.
void reject_unknown_keys(const Value& root) {
  for (const auto& [key, value] : root.object) {
    const bool known =
        std::find(std::begin(kKinds), std::end(kKinds), key) != std::end(kKinds) ||
        std::find(std::begin(kOptional), std::end(kOptional), key) != std::end(kOptional);
    if (!known) fail("discount: unknown key '" + key + "'");
  }
}

// Parses the kind (exactly one of the three) and its amount into `discount`.
void parse_kind(const Value& root, Discount& discount) {
  std::vector<std::string_view> present;
  for (std::string_view kind : kKinds) {
    if (root.find(kind) != nullptr) present.push_back(kind);
  }
  if (present.empty()) fail("discount needs exactly one of percent_off, amount_off, fixed_price");
  if (present.size() > 1) {
    fail("discount has both " + std::string(present[0]) + " and " + std::string(present[1]));
  }
  const Value& value = *root.find(present[0]);
  if (present[0] == "percent_off") {
    discount.kind = Discount::Kind::kPercentOff;
    discount.percent = parse_percent(value);
  } else if (present[0] == "amount_off") {
    discount.kind = Discount::Kind::kAmountOff;
    std::optional<int64_t> amount = integer_of(value);
    if (!amount || *amount <= 0) {
      fail("discount.amount_off must be a positive integer (minor units), got " + describe(value));
    }
    discount.amount = *amount;
  } else {
    discount.kind = Discount::Kind::kFixedPrice;
    std::optional<int64_t> price = integer_of(value);
    if (!price || *price < 0) {
      fail("discount.fixed_price must be a non-negative integer (minor units per unit), got " +
           describe(value));
    }
    discount.amount = *price;
  }
}

// Parses target, max_units and max_amount into `discount`.
void parse_refinements(const Value& root, const Currency& currency, Discount& discount) {
  if (const Value* target = root.find("target")) {
    if (target->kind != Value::Kind::kString) {
      fail("discount.target must be a string (an item condition), got " + describe(*target));
    }
    discount.target =
        compile_part(target->text, rule::Context::kItemCondition, currency, "discount.target");
  }
  if (const Value* units = root.find("max_units")) {
    if (units->kind == Value::Kind::kString) {
      discount.max_units =
          compile_part(units->text, rule::Context::kCount, currency, "discount.max_units");
    } else {
      std::optional<int64_t> n = integer_of(*units);
      if (!n || *n < 0) {
        fail(
            "discount.max_units must be a non-negative integer or a count expression, "
            "got " +
            describe(*units));
      }
      discount.max_units_constant = *n;
    }
  }
  if (const Value* cap = root.find("max_amount")) {
    std::optional<int64_t> m = integer_of(*cap);
    if (!m || *m <= 0) {
      fail("discount.max_amount must be a positive integer (minor units), got " + describe(*cap));
    }
    discount.max_amount = *m;
  }
}

// a * b / c rounded half-up, for 0 <= a, 0 <= b <= c, c > 0; exact in 128 bits.
int64_t mul_div_half_up(int64_t a, int64_t b, int64_t c) {
  const __int128 product = static_cast<__int128>(a) * b;
  return static_cast<int64_t>((product * 2 + c) / (static_cast<__int128>(c) * 2));
}

// Units of each line the discount may touch: all units of eligible lines, or, with max_units N,
// the N cheapest eligible units by original unit_price (ties: lower line index).
std::vector<int64_t> eligible_units(const Discount& discount, const Cart& cart,
                                    const rule::Facts& facts, bool& any_eligible) {
  const size_t n = cart.items.size();
  std::vector<int64_t> units(n, 0);
  any_eligible = false;
  for (size_t i = 0; i < n; ++i) {
    if (!discount.target || discount.target->matches(cart.items[i])) {
      units[i] = cart.items[i].quantity;
      any_eligible = true;
    }
  }
  std::optional<int64_t> limit = discount.max_units_constant;
  if (discount.max_units) limit = std::max<int64_t>(0, discount.max_units->eval_count(facts));
  if (!limit || !any_eligible) return units;

  std::vector<size_t> order;
  for (size_t i = 0; i < n; ++i) {
    if (units[i] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return cart.items[a].unit_price < cart.items[b].unit_price;
  });
  int64_t left = *limit;
  for (size_t i : order) {
    const int64_t take = std::min(left, units[i]);
    units[i] = take;
    left -= take;
  }
  return units;
}

}  // namespace

Discount parse_discount(std::string_view json_text, const Currency& currency) {
  const Value root = json::parse(json_text, "discount");
  if (root.kind != Value::Kind::kObject) fail("discount must be a JSON object");
  reject_unknown_keys(root);
  Discount discount;
  parse_kind(root, discount);
  parse_refinements(root, currency, discount);
  return discount;
}

DiscountOutcome apply_discount(const Discount& discount, const Cart& cart,
                               std::span<const int64_t> remaining, const rule::Facts& facts) {
  const size_t n = cart.items.size();
  DiscountOutcome out;
  out.per_line.assign(n, 0);
  bool any_eligible = false;
  const std::vector<int64_t> units = eligible_units(discount, cart, facts, any_eligible);

  // base_i: the part of the line's current amount that the chosen units represent.
  std::vector<int64_t> base(n, 0);
  int64_t base_sum = 0;
  bool any_units = false;
  for (size_t i = 0; i < n; ++i) {
    if (units[i] == 0) continue;
    any_units = true;
    const int64_t q = cart.items[i].quantity;
    base[i] = units[i] == q ? remaining[i] : mul_div_half_up(remaining[i], units[i], q);
    base_sum = checked_add(base_sum, base[i], "discount base");
  }

  switch (discount.kind) {
    case Discount::Kind::kPercentOff:
      for (size_t i = 0; i < n; ++i) {
        if (base[i] > 0) out.per_line[i] = percent_of(base[i], discount.percent);
      }
      break;
    case Discount::Kind::kAmountOff:
      if (base_sum > 0) {
        out.per_line = allocate_largest_remainder(std::min(discount.amount, base_sum), base);
      }
      break;
    case Discount::Kind::kFixedPrice:
      for (size_t i = 0; i < n; ++i) {
        if (units[i] == 0) continue;
        const __int128 target_price = static_cast<__int128>(discount.amount) * units[i];
        if (target_price < base[i]) out.per_line[i] = base[i] - static_cast<int64_t>(target_price);
      }
      break;
  }

  int64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    out.per_line[i] = std::clamp<int64_t>(out.per_line[i], 0, remaining[i]);
    total = checked_add(total, out.per_line[i], "discount");
  }
  if (discount.max_amount && total > *discount.max_amount) {
    out.per_line = allocate_largest_remainder(*discount.max_amount, out.per_line);
    total = *discount.max_amount;
  }
  out.total = total;
  if (total == 0) {
    out.empty_reason = !any_eligible ? EmptyReason::kNoEligibleLine
                       : !any_units  ? EmptyReason::kNoUnits
                                     : EmptyReason::kNothingLeft;
  }
  return out;
}

}  // namespace promo
