// Rule checker: name resolution and type errors with exact messages, SQLSTATEs and positions,
// and how number literals take their type.
#include "rule_test_carts.hpp"

#include <gtest/gtest.h>

namespace promo::rule {
namespace {

using testing::failure;

struct Case {
  const char* text;
  Context context;
  const char* sqlstate;
  const char* message;
};

TEST(RuleChecker, ErrorsHaveExactWordingAndPosition) {
  const Context C = Context::kCondition;
  const Context I = Context::kItemCondition;
  const Context N = Context::kCount;
  for (const Case& c : std::initializer_list<Case>{
           {"subtotl >= 50", C, "42883", "unknown function 'subtotl' at 1:1"},
           {"subtotal >= 50 and hass(sku = 'a')", C, "42883", "unknown function 'hass' at 1:20"},
           {"skuu = 'a'", I, "42703", "unknown field 'skuu' at 1:1"},
           {"has(skuu = 'a')", C, "42703", "unknown field 'skuu' at 1:5"},
           {"has(color.x = 'a')", C, "42703", "unknown field 'color.x' at 1:5"},
           {"has(attributes.a.b = 'a')", C, "42703", "unknown field 'attributes.a.b' at 1:5"},
           {"has(attributes = 'a')", C, "42703",
            "attributes must be followed by a key, as in attributes.color, at 1:5"},
           {"in_segment('vip')", C, "42704", "unknown segment 'vip' at 1:12"},
           {"sku = 'APPLE-KB'", C, "42703",
            "sku is an item field; use it inside has(...), quantity(...) or amount(...) at 1:1"},
           {"attributes.color = 'red'", C, "42703",
            "attributes.color is an item field; use it inside has(...), quantity(...) or "
            "amount(...) at 1:1"},
           {"sku = 'a' and subtotal >= 5", I, "42703",
            "subtotal is a cart field; it cannot be used in an item condition at 1:15"},
           {"has(has(sku = 'a'))", C, "42883",
            "has is a cart function; it cannot be used in an item condition at 1:5"},
           {"has", C, "42883", "has is a function; call it as has(...) at 1:1"},
           {"sku('a')", I, "42883", "sku is a field, not a function at 1:1"},
           {"has(sku = 'a', sku = 'b')", C, "42883", "has() takes 1 argument, got 2 at 1:1"},
           {"quantity() >= 1", C, "42883", "quantity() takes 1 argument, got 0 at 1:1"},
           {"has(since => sku = 'a')", C, "42883", "unknown argument 'since' for has() at 1:5"},
           {"subtotal = 'abc'", C, "42804", "cannot compare money with string at 1:10"},
           {"subtotal >= quantity", C, "42804", "cannot compare money with integer at 1:10"},
           {"has(sku = 5)", C, "42804", "cannot compare string with number at 1:9"},
           {"has(attributes.weight > unit_price)", C, "42804",
            "cannot compare attribute with money at 1:23"},
           {"has(sku in ('a', 5))", C, "42804", "cannot compare string with number at 1:18"},
           {"quantity in (1, 'a')", C, "42804", "cannot compare integer with string at 1:17"},
           {"subtotal >= 50.001", C, "42804",
            "money literal 50.001 has more decimals than USD allows at 1:13"},
           {"subtotal in (1.5, 2.505)", C, "42804",
            "money literal 2.505 has more decimals than USD allows at 1:19"},
           {"quantity >= 2.5", C, "42804", "expected an integer, got 2.5 at 1:13"},
           {"subtotal * 1.5 >= 1", C, "42804", "expected an integer, got 1.5 at 1:12"},
           {"subtotal + quantity >= 1", C, "42804",
            "operator + is not defined for money and integer at 1:10"},
           {"subtotal * subtotal >= 1", C, "42804",
            "operator * is not defined for money and money at 1:10"},
           {"quantity / subtotal >= 1", C, "42804",
            "operator / is not defined for integer and money at 1:10"},
           {"has(sku + 1 = 'a')", C, "42804",
            "operator + is not defined for string and number at 1:9"},
           {"has(-sku = 'a')", C, "42804", "operator - is not defined for string at 1:5"},
           {"has(true < false)", C, "42804", "operator < is not defined for boolean at 1:10"},
           {"subtotal and true", C, "42804", "and needs boolean operands, got money at 1:1"},
           {"true or quantity", C, "42804", "or needs boolean operands, got integer at 1:9"},
           {"not 5", C, "42804", "not needs a boolean operand, got number at 1:5"},
           {"has(unit_price)", C, "42804",
            "has() needs an item condition (a boolean), got money at 1:5"},
           {"subtotal", C, "42804", "a condition must be a boolean expression, got money at 1:1"},
           {"50", C, "42804", "a condition must be a boolean expression, got number at 1:1"},
           {"sku", I, "42804", "an item condition must be a boolean expression, got string at 1:1"},
           {"amount(sku = 'a')", N, "42804",
            "max_units must be an integer expression, got money at 1:1"},
           {"has(sku = 'a')", N, "42804",
            "max_units must be an integer expression, got boolean at 1:1"},
           {"quantity(sku = 'a') / 0", N, "22012", "division by zero at 1:21"},
           {"quantity / -0 >= 1", C, "22012", "division by zero at 1:10"},
           {"subtotal >= 92233720368547758.1", C, "22003",
            "money literal 92233720368547758.1 is out of range at 1:13"},
       }) {
    auto f = failure(c.text, c.context);
    EXPECT_EQ(f.sqlstate, c.sqlstate) << c.text;
    EXPECT_EQ(f.message, c.message) << c.text;
  }
}

TEST(RuleChecker, UnknownNamesSuggestTheClosestKnownName) {
  EXPECT_EQ(failure("subtotl >= 50").hint, "did you mean 'subtotal'?");
  EXPECT_EQ(failure("skuu = 'a'", Context::kItemCondition).hint, "did you mean 'sku'?");
  EXPECT_EQ(failure("amont(sku = 'a') >= 1").hint, "did you mean 'amount'?");
  EXPECT_EQ(failure("has(attribute.color = 'a')").hint, "");
  EXPECT_EQ(failure("zzzzzz").hint, "");
}

TEST(RuleChecker, MoneyLiteralsFollowTheCurrencyExponent) {
  EXPECT_EQ(compile("subtotal >= 50", Context::kCondition, testing::kUsd)->print(),
            "subtotal >= 50.00");
  EXPECT_EQ(compile("subtotal >= 50", Context::kCondition, testing::kJpy)->print(),
            "subtotal >= 50");
  EXPECT_EQ(compile("subtotal >= 1.5", Context::kCondition, testing::kBhd)->print(),
            "subtotal >= 1.500");
  EXPECT_EQ(failure("subtotal >= 50.5", Context::kCondition, testing::kJpy).message,
            "money literal 50.5 has more decimals than JPY allows at 1:13");
  // Written decimals count, even when they are zeros.
  EXPECT_EQ(failure("subtotal >= 50.000").message,
            "money literal 50.000 has more decimals than USD allows at 1:13");
}

TEST(RuleChecker, LiteralsTakeTheTypeOfTheOtherOperand) {
  auto p = [](std::string_view text, Context context = Context::kCondition) {
    return compile(text, context, testing::kUsd)->print();
  };
  EXPECT_EQ(p("50 <= subtotal"), "50.00 <= subtotal");
  EXPECT_EQ(p("subtotal >= 25 + 25"), "subtotal >= 25.00 + 25.00");
  EXPECT_EQ(p("subtotal >= 2 * 25.00"), "subtotal >= 2.00 * 25");
  EXPECT_EQ(p("subtotal >= 25.50 * 2"), "subtotal >= 25.50 * 2");
  EXPECT_EQ(p("subtotal >= 100 / 3"), "subtotal >= 100.00 / 3");
  EXPECT_EQ(p("subtotal >= 2 * amount(sku = 'a')"), "subtotal >= 2 * amount(sku = 'a')");
  EXPECT_EQ(p("quantity >= 3.0"), "quantity >= 3");
  EXPECT_EQ(p("1 + 2 < 4"), "1 + 2 < 4");
  EXPECT_EQ(p("has(attributes.size >= 10.50)"), "has(attributes.size >= 10.50)");
  EXPECT_EQ(p("has(attributes.size >= -1.5)"), "has(attributes.size >= -1.5)");
  EXPECT_EQ(p("has(attributes.size >= 1 + 1)"), "has(attributes.size >= 1 + 1)");
  EXPECT_EQ(p("has(attributes.size in (1, 'M', true, -2.5))"),
            "has(attributes.size in (1, 'M', true, -2.5))");
  EXPECT_EQ(p("has(attributes.size = quantity)"), "has(attributes.size = quantity)");
  EXPECT_EQ(p("quantity(sku = 'a') / 3", Context::kCount), "quantity(sku = 'a') / 3");
  EXPECT_EQ(p("2", Context::kCount), "2");
}

}  // namespace
}  // namespace promo::rule
