// Rule printer: canonical text, and the round trip print(compile(print(p))) == print(p) over a
// corpus and over random rules, with the same meaning before and after.
#include "rule_test_carts.hpp"

#include <gtest/gtest.h>

namespace promo::rule {
namespace {

using namespace testing;

std::string printed(std::string_view text, Context context = Context::kCondition,
                    const Currency& currency = kUsd) {
  return compile(text, context, currency)->print();
}

TEST(RulePrinter, CanonicalForm) {
  EXPECT_EQ(printed("subtotal>=50"), "subtotal >= 50.00");
  EXPECT_EQ(printed("  HAS ( sku='APPLE-KB' )\n\tAND subtotal >= 50.5"),
            "has(sku = 'APPLE-KB') and subtotal >= 50.50");
  EXPECT_EQ(printed("has(sku = 'it''s')"), "has(sku = 'it''s')");
  EXPECT_EQ(printed("has(sku != 'a')"), "has(sku <> 'a')");
  EXPECT_EQ(printed("quantity >= 0003"), "quantity >= 3");
  EXPECT_EQ(printed("subtotal >= 0.5"), "subtotal >= 0.50");
  EXPECT_EQ(printed("subtotal >= 0.5", Context::kCondition, kBhd), "subtotal >= 0.500");
  EXPECT_EQ(printed("subtotal >= -0.05"), "subtotal >= -0.05");
  EXPECT_EQ(printed("has(Attributes.Color = 'x')"), "has(attributes.Color = 'x')");
  EXPECT_EQ(printed("(((has((sku = 'a')))))"), "has(sku = 'a')");
  EXPECT_EQ(printed("quantity(sku = 'LAPTOP-13') / 3", Context::kCount),
            "quantity(sku = 'LAPTOP-13') / 3");
}

void expect_round_trip(const std::string& text, Context context) {
  std::string once = compile(text, context, kUsd)->print();
  std::string twice = compile(once, context, kUsd)->print();
  EXPECT_EQ(once, twice) << "from: " << text;
}

TEST(RulePrinter, RoundTripOverACorpus) {
  for (const char* text : {
           "subtotal >= 50.00",
           "subtotal >= 100 and has(category = 'audio')",
           "has(unit_price >= 60.00) or has(sku = 'APPLE-KB')",
           "quantity(sku = 'SOCKS') >= 3 and not has(sku = 'GIFT')",
           "amount(category in ('audio', 'video')) > 15.00",
           "not (subtotal < 10 or quantity > 3)",
           "(quantity = 1) = (quantity = 2)",
           "subtotal >= 2 * 25.00",
           "subtotal >= 100 / 3 - -1",
           "- - quantity >= -(1 + 2) * 3",
           "has(attributes.size in (-1.50, 2, 'XL', true, false))",
           "has(attributes.size >= -0.0)",
           "has(sku not in ('a', 'it''s', ''))",
           "has(attributes.flag = true and not attributes.flag = false)",
           "quantity in (1, 2, -3) or subtotal in (1, 2.5)",
           "1 + 2 < 4",
       }) {
    expect_round_trip(text, Context::kCondition);
  }
  expect_round_trip("sku = 'a' and (unit_price > 5 or quantity < -1)", Context::kItemCondition);
  expect_round_trip("quantity(sku = 'a') / 3 - -quantity", Context::kCount);
}

TEST(RulePrinter, RoundTripOverRandomRulesKeepsTheirMeaning) {
  RandomRules random(20240611);
  for (int i = 0; i < 2000; ++i) {
    std::string text = random.condition();
    auto original = compile(text, Context::kCondition, kUsd);
    auto reparsed = compile(original->print(), Context::kCondition, kUsd);
    ASSERT_EQ(reparsed->print(), original->print()) << "from: " << text;
    for (int j = 0; j < 5; ++j) {
      Cart c = random.random_cart();
      Facts facts{&c};
      ASSERT_EQ(reparsed->eval_condition(facts), original->eval_condition(facts))
          << text << " / " << original->print();
    }
  }
  for (int i = 0; i < 1000; ++i)
    expect_round_trip(random.item_condition(3), Context::kItemCondition);
}

}  // namespace
}  // namespace promo::rule
