// Discount definitions: JSON validation messages and the application rules (rounding, largest
// remainder allocation, cheapest units first, caps), with exact minor-unit numbers.
#include "core/discount.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

namespace promo {
namespace {

struct Line {
  std::string sku;
  int64_t quantity;
  int64_t unit_price;
  std::string category = "";
};

// Builds a validated-looking cart by hand, so these tests do not depend on the cart decoder.
Cart make_cart(const std::vector<Line>& lines) {
  Cart cart;
  cart.currency = find_currency("USD");
  for (const Line& line : lines) {
    CartItem item;
    item.sku = line.sku;
    item.category = line.category;
    item.quantity = line.quantity;
    item.unit_price = line.unit_price;
    item.line_total = line.quantity * line.unit_price;
    cart.subtotal += item.line_total;
    cart.total_quantity += item.quantity;
    cart.items.push_back(item);
  }
  return cart;
}

const Currency& usd() {
  return *find_currency("USD");
}

// The message of the Error that parsing `json` throws ("" when it does not throw).
std::string parse_error(const std::string& json) {
  try {
    parse_discount(json, usd());
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// Applies `json` to the cart's undiscounted lines.
DiscountOutcome apply_json(const std::string& json, const Cart& cart) {
  std::vector<int64_t> remaining;
  for (const CartItem& item : cart.items) remaining.push_back(item.line_total);
  rule::Facts facts{&cart};
  return apply_discount(parse_discount(json, usd()), cart, remaining, facts);
}

int64_t sum(const std::vector<int64_t>& values) {
  return std::accumulate(values.begin(), values.end(), int64_t{0});
}

TEST(DiscountParse, AcceptsEachKind) {
  Discount p = parse_discount(R"({"percent_off": 33.3})", usd());
  EXPECT_EQ(p.kind, Discount::Kind::kPercentOff);
  EXPECT_EQ(p.percent.units, 333000);
  Discount a = parse_discount(R"({"amount_off": 1000, "max_amount": 500})", usd());
  EXPECT_EQ(a.kind, Discount::Kind::kAmountOff);
  EXPECT_EQ(a.amount, 1000);
  EXPECT_EQ(a.max_amount, 500);
  Discount f = parse_discount(R"({"fixed_price": 0, "max_units": 2})", usd());
  EXPECT_EQ(f.kind, Discount::Kind::kFixedPrice);
  EXPECT_EQ(f.amount, 0);
  EXPECT_EQ(f.max_units_constant, 2);
  EXPECT_EQ(parse_discount(R"({"percent_off": 100})", usd()).percent.units, 1000000);
  EXPECT_EQ(parse_discount(R"({"percent_off": 0.0001})", usd()).percent.units, 1);
}

TEST(DiscountParse, ErrorsNameThePathAndValue) {
  EXPECT_EQ(parse_error("[1]"), "discount must be a JSON object");
  EXPECT_EQ(parse_error("5"), "discount must be a JSON object");
  EXPECT_EQ(parse_error("{}"),
            "discount needs exactly one of percent_off, amount_off, fixed_price");
  EXPECT_EQ(parse_error(R"({"percent_off": 5, "amount_off": 100})"),
            "discount has both percent_off and amount_off");
  EXPECT_EQ(parse_error(R"({"amount_off": 5, "fixed_price": 100})"),
            "discount has both amount_off and fixed_price");
  EXPECT_EQ(parse_error(R"({"percent_off": 150})"),
            "discount.percent_off must be greater than 0 and at most 100, got 150");
  EXPECT_EQ(parse_error(R"({"percent_off": 0})"),
            "discount.percent_off must be greater than 0 and at most 100, got 0");
  EXPECT_EQ(parse_error(R"({"percent_off": -5})"),
            "discount.percent_off must be greater than 0 and at most 100, got -5");
  EXPECT_EQ(parse_error(R"({"percent_off": 12.34567})"),
            "discount.percent_off may have at most 4 decimals, got 12.34567");
  EXPECT_EQ(parse_error(R"({"percent_off": "10"})"),
            "discount.percent_off must be a number, got \"10\"");
  EXPECT_EQ(parse_error(R"({"amount_off": 10.5})"),
            "discount.amount_off must be a positive integer (minor units), got 10.5");
  EXPECT_EQ(parse_error(R"({"amount_off": 0})"),
            "discount.amount_off must be a positive integer (minor units), got 0");
  EXPECT_EQ(parse_error(R"({"fixed_price": -1})"),
            "discount.fixed_price must be a non-negative integer (minor units per unit), got -1");
  EXPECT_EQ(parse_error(R"({"percnt_off": 5})"), "discount: unknown key 'percnt_off'");
  EXPECT_EQ(parse_error(R"({"percent_off": 5, "max_units": -1})"),
            "discount.max_units must be a non-negative integer or a count expression, got -1");
  EXPECT_EQ(parse_error(R"({"percent_off": 5, "max_units": true})"),
            "discount.max_units must be a non-negative integer or a count expression, got true");
  EXPECT_EQ(parse_error(R"({"percent_off": 5, "max_amount": 0})"),
            "discount.max_amount must be a positive integer (minor units), got 0");
  EXPECT_EQ(parse_error(R"({"percent_off": 5, "target": 7})"),
            "discount.target must be a string (an item condition), got 7");
}

TEST(DiscountParse, RuleErrorsArePrefixedAndKeepTheirSqlstate) {
  try {
    parse_discount(R"({"percent_off": 5, "target": "skuu = 'A'"})", usd());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("discount.target: ", 0), 0u) << error.what();
    EXPECT_NE(std::string(error.what()).find("skuu"), std::string::npos) << error.what();
    EXPECT_STREQ(error.sqlstate(), sqlstate::kUndefinedColumn);
  }
  try {
    parse_discount(R"({"percent_off": 5, "max_units": "quantity(sku = 'A'"})", usd());
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(std::string(error.what()).rfind("discount.max_units: ", 0), 0u) << error.what();
    EXPECT_STREQ(error.sqlstate(), sqlstate::kSyntaxError);
  }
  EXPECT_NE(parse_error("{"), "");  // not JSON at all: json::parse's own message
}

TEST(DiscountApply, PercentRoundsHalfUpPerLine) {
  // 10% of 3 x 3.33 = 99.9 cents -> 100.
  DiscountOutcome a = apply_json(R"({"percent_off": 10})", make_cart({{"A", 3, 333}}));
  EXPECT_EQ(a.per_line, (std::vector<int64_t>{100}));
  EXPECT_EQ(a.total, 100);
  // 5% of 19.99 = 99.95 cents -> 100.
  EXPECT_EQ(apply_json(R"({"percent_off": 5})", make_cart({{"A", 1, 1999}})).total, 100);
  // 33.3% per line: 333.0, 110.889, 0.333, 3329.667 -> 333, 111, 0, 3330.
  DiscountOutcome c =
      apply_json(R"({"percent_off": 33.3})",
                 make_cart({{"A", 1, 1000}, {"B", 1, 333}, {"C", 1, 1}, {"D", 1, 9999}}));
  EXPECT_EQ(c.per_line, (std::vector<int64_t>{333, 111, 0, 3330}));
  EXPECT_EQ(c.total, sum(c.per_line));
  EXPECT_EQ(c.total, 3774);
}

TEST(DiscountApply, AmountOffIsAllocatedByLargestRemainder) {
  // 1000 over 3000/2000/1000: 500, 333.33, 166.67 -> the leftover cent goes to the .67.
  DiscountOutcome d = apply_json(R"({"amount_off": 1000})",
                                 make_cart({{"A", 1, 3000}, {"B", 1, 2000}, {"C", 1, 1000}}));
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{500, 333, 167}));
  EXPECT_EQ(d.total, 1000);
  // 100 over three equal lines: 33.33 each; the leftover goes to the lowest index.
  DiscountOutcome e = apply_json(R"({"amount_off": 100})",
                                 make_cart({{"A", 1, 500}, {"B", 1, 500}, {"C", 1, 500}}));
  EXPECT_EQ(e.per_line, (std::vector<int64_t>{34, 33, 33}));
  // More than the cart: capped at what there is.
  DiscountOutcome f =
      apply_json(R"({"amount_off": 100000})", make_cart({{"A", 2, 700}, {"B", 1, 50}}));
  EXPECT_EQ(f.per_line, (std::vector<int64_t>{1400, 50}));
  EXPECT_EQ(f.total, 1450);
}

TEST(DiscountApply, FixedPriceSetsUnitPriceAndNeverRaisesIt) {
  DiscountOutcome d = apply_json(R"({"fixed_price": 700})",
                                 make_cart({{"A", 3, 1000}, {"B", 2, 500}, {"C", 1, 700}}));
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{900, 0, 0}));
  EXPECT_EQ(d.total, 900);
  // Free with max_units: one unit at 0.
  EXPECT_EQ(apply_json(R"({"fixed_price": 0, "max_units": 1})", make_cart({{"A", 4, 250}})).total,
            250);
}

TEST(DiscountApply, MaxUnitsTakesCheapestUnitsAcrossDuplicateSkuLines) {
  // Cheapest first: line 1 (300), then the 500s by line index: line 0's two units, one of line 2.
  DiscountOutcome d = apply_json(R"({"percent_off": 100, "max_units": 4})",
                                 make_cart({{"A", 2, 500}, {"A", 1, 300}, {"A", 3, 500}}));
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{1000, 300, 500}));
  EXPECT_EQ(d.total, 1800);
  // Zero units allowed: nothing, and the reason says so.
  DiscountOutcome none =
      apply_json(R"({"percent_off": 50, "max_units": 0})", make_cart({{"A", 2, 500}}));
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.empty_reason, EmptyReason::kNoUnits);
}

TEST(DiscountApply, PartialLineBaseRoundsHalfUpOnRemainingAmount) {
  Cart cart = make_cart({{"A", 2, 600}});
  std::vector<int64_t> remaining{1001};  // an earlier promotion took 199
  rule::Facts facts{&cart};
  DiscountOutcome d = apply_discount(
      parse_discount(R"({"percent_off": 100, "max_units": 1})", usd()), cart, remaining, facts);
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{501}));  // 1001 / 2 = 500.5 -> 501
}

TEST(DiscountApply, MaxAmountIsReallocatedOverLineDiscounts) {
  // 50% of 1000 and 3000 = 500 + 1500 = 2000, capped at 1000 -> 250 + 750.
  DiscountOutcome d = apply_json(R"({"percent_off": 50, "max_amount": 1000})",
                                 make_cart({{"A", 1, 1000}, {"B", 1, 3000}}));
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{250, 750}));
  EXPECT_EQ(d.total, 1000);
  // Below the cap: untouched.
  EXPECT_EQ(
      apply_json(R"({"percent_off": 10, "max_amount": 1000})", make_cart({{"A", 1, 3000}})).total,
      300);
}

TEST(DiscountApply, NeverTakesMoreThanWhatIsLeftOnALine) {
  Cart cart = make_cart({{"A", 1, 1000}, {"B", 1, 1000}});
  std::vector<int64_t> remaining{100, 0};
  rule::Facts facts{&cart};
  DiscountOutcome d =
      apply_discount(parse_discount(R"({"amount_off": 5000})", usd()), cart, remaining, facts);
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{100, 0}));
  DiscountOutcome f =
      apply_discount(parse_discount(R"({"fixed_price": 100})", usd()), cart, remaining, facts);
  EXPECT_EQ(f.per_line, (std::vector<int64_t>{0, 0}));  // 100 - 100 = 0; 0 - 100 clamps to 0
  EXPECT_EQ(f.empty_reason, EmptyReason::kNothingLeft);
}

TEST(DiscountApply, TargetSelectsLinesByTheOriginalItem) {
  Cart cart = make_cart({{"A", 1, 1000, "audio"}, {"B", 2, 500, "video"}, {"C", 1, 400, "audio"}});
  DiscountOutcome d = apply_json(R"({"percent_off": 25, "target": "category = 'audio'"})", cart);
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{250, 0, 100}));
  DiscountOutcome none = apply_json(R"({"percent_off": 25, "target": "sku = 'Z'"})", cart);
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.empty_reason, EmptyReason::kNoEligibleLine);
}

TEST(DiscountApply, MaxUnitsExpressionCountsOnTheCart) {
  // Buy 2 socks, get the third free: 7 socks -> 2 free, the cheapest.
  Cart cart = make_cart({{"SOCKS", 4, 300}, {"SOCKS", 3, 250}});
  DiscountOutcome d = apply_json(
      R"({"percent_off": 100, "target": "sku = 'SOCKS'", "max_units": "quantity(sku = 'SOCKS') / 3"})",
      cart);
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{0, 500}));
}

TEST(DiscountApply, ZeroPriceLinesAndEmptyCart) {
  DiscountOutcome d = apply_json(R"({"amount_off": 500})", make_cart({{"FREE", 2, 0}}));
  EXPECT_EQ(d.per_line, (std::vector<int64_t>{0}));
  EXPECT_EQ(d.total, 0);
  DiscountOutcome e = apply_json(R"({"percent_off": 10})", make_cart({}));
  EXPECT_TRUE(e.per_line.empty());
  EXPECT_EQ(e.empty_reason, EmptyReason::kNoEligibleLine);
}

}  // namespace
}  // namespace promo
