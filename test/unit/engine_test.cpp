// The engine end to end: tactics T2/T3/T5, stacking, exclusivity, time windows, explanations,
// hints, interruption and definition errors.
#include "engine_test_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace promo {
namespace {

using namespace engine_test;

TEST(EngineTactics, T2SpendTiersPickTheBestAndHintTheNext) {
  RuleSet rules(spend_more());
  Cart at75 = make_cart({{"TSHIRT", 3, 2500}});
  Result r = evaluate(rules, at75);
  expect_invariants(at75, r);
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].promotion, "spend-more");
  EXPECT_EQ(r.applied[0].tier, "5% from $50");
  EXPECT_EQ(r.discount, 375);
  EXPECT_EQ(r.total, 7125);
  EXPECT_EQ(r.items[0].discount, 375);
  EXPECT_EQ(r.items[0].total, 7125);
  ASSERT_EQ(r.hints.size(), 1u);
  EXPECT_EQ(r.hints[0].tier, "10% from $100");
  EXPECT_EQ(r.hints[0].missing, "subtotal 2500 short");
  EXPECT_TRUE(r.not_applied.empty());

  Result big = evaluate(rules, make_cart({{"TSHIRT", 3, 4000}}));
  ASSERT_EQ(big.applied.size(), 1u);
  EXPECT_EQ(big.applied[0].tier, "10% from $100");
  EXPECT_EQ(big.discount, 1200);
  EXPECT_TRUE(big.hints.empty());

  Result small = evaluate(rules, make_cart({{"TSHIRT", 1, 3000}}));
  EXPECT_TRUE(small.applied.empty());
  EXPECT_EQ(small.discount, 0);
  ASSERT_EQ(small.not_applied.size(), 1u);
  EXPECT_EQ(small.not_applied[0].reason_code, "condition_failed");
  EXPECT_EQ(small.not_applied[0].reason.rfind("tier '5% from $50': ", 0), 0u)
      << small.not_applied[0].reason;
  ASSERT_EQ(small.hints.size(), 2u);
  EXPECT_EQ(small.hints[0].missing, "subtotal 2000 short");
  EXPECT_EQ(small.hints[1].missing, "subtotal 7000 short");
}

TEST(EngineTactics, T3BuyAGetBFreeDiscountsOnlyTheMatchedUnitsOfB) {
  RuleSet rules({promotion(
      "a-gets-b",
      {{"B free with A", "has(sku = 'A') and has(sku = 'B')",
        R"J({"percent_off": 100, "target": "sku = 'B'", "max_units": "quantity(sku = 'A')"})J"}})});
  Cart cart = make_cart({{"A", 2, 1500}, {"B", 3, 800}});
  Result r = evaluate(rules, cart);
  expect_invariants(cart, r);
  EXPECT_EQ(r.discount, 1600);  // two of the three B units
  EXPECT_EQ(r.items[0].discount, 0);
  EXPECT_EQ(r.items[1].discount, 1600);
  ASSERT_EQ(r.items[1].discounts.size(), 1u);
  EXPECT_EQ(r.items[1].discounts[0].applied_index, 0u);

  Result only_b = evaluate(rules, make_cart({{"B", 3, 800}}));
  EXPECT_TRUE(only_b.applied.empty());
  ASSERT_EQ(only_b.not_applied.size(), 1u);
  EXPECT_EQ(only_b.not_applied[0].reason_code, "condition_failed");
}

TEST(EngineTactics, T5HeadphonesWithAPricyItemOrAnAppleKeyboard) {
  const char* discount = R"({"percent_off": 30, "target": "sku = 'HP-PRO'"})";
  RuleSet rules({promotion(
      "hp-30", {{"with item >= $60", "has(unit_price >= 60.00 and sku <> 'HP-PRO')", discount},
                {"with Apple keyboard", "has(sku = 'APPLE-KB')", discount}})});
  Cart monitor = make_cart({{"HP-PRO", 1, 19900}, {"MONITOR", 1, 25000}});
  Result a = evaluate(rules, monitor);
  expect_invariants(monitor, a);
  ASSERT_EQ(a.applied.size(), 1u);
  EXPECT_EQ(a.applied[0].tier, "with item >= $60");  // equal discounts: the first inserted
  EXPECT_EQ(a.discount, 5970);
  EXPECT_EQ(a.items[1].discount, 0);

  Result b = evaluate(rules, make_cart({{"APPLE-KB", 1, 5900}, {"HP-PRO", 2, 19900}}));
  ASSERT_EQ(b.applied.size(), 1u);
  EXPECT_EQ(b.applied[0].tier, "with Apple keyboard");
  EXPECT_EQ(b.discount, 11940);

  // The headphones alone do not count as the pricy item; a $10 cable is too cheap.
  Result c = evaluate(rules, make_cart({{"HP-PRO", 1, 19900}, {"CABLE", 1, 1000}}));
  EXPECT_TRUE(c.applied.empty());
  ASSERT_EQ(c.not_applied.size(), 1u);
  EXPECT_EQ(c.not_applied[0].reason_code, "condition_failed");
  EXPECT_EQ(c.not_applied[0].reason.rfind("tier 'with item >= $60': ", 0), 0u);

  // Qualifies by the keyboard but the cart has no headphones.
  Result d = evaluate(rules, make_cart({{"APPLE-KB", 1, 5900}}));
  ASSERT_EQ(d.not_applied.size(), 1u);
  EXPECT_EQ(d.not_applied[0].reason_code, "nothing_to_discount");
}

TEST(EngineStacking, TwoPercentDiscountsStackOnWhatIsLeft) {
  RuleSet rules({promotion("first", {{"10%", "subtotal >= 1.00", R"({"percent_off": 10})"}}, 5),
                 promotion("second", {{"10%", "subtotal >= 1.00", R"({"percent_off": 10})"}}, 1)});
  Cart cart = make_cart({{"A", 1, 10000}});
  Result r = evaluate(rules, cart);
  expect_invariants(cart, r);
  ASSERT_EQ(r.applied.size(), 2u);
  EXPECT_EQ(r.applied[0].promotion, "first");
  EXPECT_EQ(r.applied[0].discount, 1000);
  EXPECT_EQ(r.applied[1].discount, 900);
  EXPECT_EQ(r.total, 8100);
  ASSERT_EQ(r.items[0].discounts.size(), 2u);
  EXPECT_EQ(r.items[0].discounts[1].amount, 900);
}

TEST(EngineStacking, PriorityThenSequenceDecidesTheOrder) {
  // Declared low priority first: the higher priority one still applies first, on the full line.
  RuleSet rules(
      {promotion("low", {{"$5 off", "subtotal >= 1.00", R"({"amount_off": 500})"}}, 0),
       promotion("high", {{"50%", "subtotal >= 1.00", R"({"percent_off": 50})"}}, 9),
       promotion("low-later", {{"$1 off", "subtotal >= 1.00", R"({"amount_off": 100})"}}, 0)});
  Result r = evaluate(rules, make_cart({{"A", 1, 2000}}));
  ASSERT_EQ(r.applied.size(), 3u);
  EXPECT_EQ(r.applied[0].promotion, "high");
  EXPECT_EQ(r.applied[0].discount, 1000);
  EXPECT_EQ(r.applied[1].promotion, "low");
  EXPECT_EQ(r.applied[2].promotion, "low-later");
  EXPECT_EQ(r.total, 400);
}

TEST(EngineExclusive, ExclusiveAfterAnAppliedOneIsExcludedAndLaterOnesStillApply) {
  RuleSet rules(
      {promotion("stackable", {{"10%", "subtotal >= 1.00", R"({"percent_off": 10})"}}, 10),
       promotion("vip", {{"50%", "subtotal >= 1.00", R"({"percent_off": 50})"}}, 5, true),
       promotion("later", {{"$1", "subtotal >= 1.00", R"({"amount_off": 100})"}}, 1)});
  Cart cart = make_cart({{"A", 1, 10000}});
  Result r = evaluate(rules, cart);
  expect_invariants(cart, r);
  ASSERT_EQ(r.applied.size(), 2u);
  EXPECT_EQ(r.applied[1].promotion, "later");
  ASSERT_EQ(r.not_applied.size(), 1u);
  EXPECT_EQ(r.not_applied[0].promotion, "vip");
  EXPECT_EQ(r.not_applied[0].reason_code, "excluded");
  EXPECT_EQ(r.not_applied[0].reason, "exclusive, but promotion 'stackable' already applied");
}

TEST(EngineExclusive, AnAppliedExclusiveExcludesEverythingAfterIt) {
  RuleSet rules({promotion("vip", {{"50%", "subtotal >= 1.00", R"({"percent_off": 50})"}}, 5, true),
                 promotion("later", {{"10%", "subtotal >= 1.00", R"({"percent_off": 10})"}}, 1),
                 promotion("later-exclusive",
                           {{"20%", "subtotal >= 1.00", R"({"percent_off": 20})"}}, 0, true)});
  Cart cart = make_cart({{"A", 1, 10000}});
  for (bool explain : {true, false}) {
    Result r = evaluate(rules, cart, explain);
    expect_invariants(cart, r);
    ASSERT_EQ(r.applied.size(), 1u);
    EXPECT_EQ(r.applied[0].promotion, "vip");
    EXPECT_EQ(r.discount, 5000);
    ASSERT_EQ(r.not_applied.size(), explain ? 2u : 0u);
  }
  Result r = evaluate(rules, cart);
  EXPECT_EQ(r.not_applied[0].reason_code, "excluded");
  EXPECT_EQ(r.not_applied[0].reason, "excluded by exclusive promotion 'vip'");
  EXPECT_EQ(r.not_applied[1].promotion, "later-exclusive");
}

TEST(EngineWindow, StartsAtIsInclusiveEndsAtExclusive) {
  const int64_t dec1 = 1796083200LL * 1000000;   // 2026-12-01 00:00:00 UTC
  const int64_t dec31 = 1798675200LL * 1000000;  // 2026-12-31 00:00:00 UTC
  std::vector<PromotionDefinition> defs = spend_more();
  defs[0].starts_at = dec1;
  defs[0].ends_at = dec31;
  RuleSet rules(std::move(defs));
  Cart cart = make_cart({{"A", 1, 6000}});
  Result before = evaluate(rules, cart, true, dec1 - 1);
  ASSERT_EQ(before.not_applied.size(), 1u);
  EXPECT_EQ(before.not_applied[0].reason_code, "not_started");
  EXPECT_EQ(before.not_applied[0].reason, "starts at 2026-12-01 00:00:00 UTC");
  EXPECT_EQ(evaluate(rules, cart, true, dec1).discount, 300);
  EXPECT_EQ(evaluate(rules, cart, true, dec31 - 1).discount, 300);
  Result after = evaluate(rules, cart, true, dec31);
  EXPECT_EQ(after.discount, 0);
  ASSERT_EQ(after.not_applied.size(), 1u);
  EXPECT_EQ(after.not_applied[0].reason_code, "ended");
  EXPECT_EQ(after.not_applied[0].reason, "ended at 2026-12-31 00:00:00 UTC");
  EXPECT_TRUE(after.hints.empty());
}

TEST(EngineExplain, CurrencyMismatchAndNoTiers) {
  std::vector<PromotionDefinition> defs = spend_more();
  defs[0].currency = "EUR";
  defs.push_back(promotion("empty", {}));
  RuleSet rules(std::move(defs));
  Result r = evaluate(rules, make_cart({{"A", 1, 20000}}));
  EXPECT_EQ(r.discount, 0);
  ASSERT_EQ(r.not_applied.size(), 2u);
  EXPECT_EQ(r.not_applied[0].reason_code, "currency_mismatch");
  EXPECT_EQ(r.not_applied[0].reason, "promotion is in EUR, cart is in USD");
  EXPECT_EQ(r.not_applied[1].reason_code, "no_tiers");
  EXPECT_TRUE(evaluate(rules, make_cart({{"A", 1, 20000}}), false).not_applied.empty());
}

TEST(EngineEdges, EmptyCartAndZeroPriceItems) {
  RuleSet rules({promotion("any", {{"10%", "quantity >= 0", R"({"percent_off": 10})"}}),
                 promotion("five-off", {{"$5", "quantity >= 1", R"({"amount_off": 500})"}})});
  Cart empty = make_cart({});
  Result e = evaluate(rules, empty);
  expect_invariants(empty, e);
  EXPECT_EQ(e.total, 0);
  ASSERT_EQ(e.not_applied.size(), 2u);
  EXPECT_EQ(e.not_applied[0].reason_code, "nothing_to_discount");
  EXPECT_EQ(e.not_applied[1].reason_code, "condition_failed");

  Cart free_items = make_cart({{"SAMPLE", 3, 0}, {"STICKER", 1, 0}});
  Result z = evaluate(rules, free_items);
  expect_invariants(free_items, z);
  EXPECT_TRUE(z.applied.empty());
  ASSERT_EQ(z.not_applied.size(), 2u);
  EXPECT_EQ(z.not_applied[1].reason_code, "nothing_to_discount");
}

TEST(EngineEdges, AThousandLineCartKeepsEveryInvariant) {
  RuleSet rules(
      {promotion("pct", {{"33.3%", "subtotal >= 1.00", R"({"percent_off": 33.3})"}}, 3),
       promotion("amount", {{"$123.45", "quantity >= 10", R"({"amount_off": 12345})"}}, 2),
       promotion("cap",
                 {{"cap", "subtotal >= 1.00", R"({"percent_off": 50, "max_amount": 99999})"}}, 1)});
  std::vector<Line> lines;
  for (int i = 0; i < 1000; ++i)
    lines.push_back({"SKU" + std::to_string(i % 37), 1 + i % 4, 7 + (i * 7919) % 5000});
  Cart cart = make_cart(lines);
  Result r = evaluate(rules, cart);
  expect_invariants(cart, r);
  ASSERT_EQ(r.applied.size(), 3u);
  EXPECT_EQ(r.applied[1].discount, 12345);
  EXPECT_EQ(r.applied[2].discount, 99999);
}

TEST(EngineEdges, PollInterruptsLongEvaluations) {
  std::vector<PromotionDefinition> defs;
  for (int i = 0; i < 3000; ++i) {
    defs.push_back(
        promotion("p" + std::to_string(i), {{"t", "subtotal >= 1.00", R"({"percent_off": 1})"}}));
  }
  RuleSet rules(std::move(defs));
  EvalOptions options;
  options.poll = [] { return true; };
  EXPECT_THROW(rules.evaluate(make_cart({{"A", 1, 100000}}), options), Interrupted);
  options.poll = [] { return false; };
  EXPECT_NO_THROW(rules.evaluate(make_cart({{"A", 1, 100000}}), options));
}

TEST(EngineDefinitions, ErrorsNameThePromotionAndTier) {
  try {
    RuleSet rules({promotion("bad", {{"t1", "subtotal >= 1.00", R"({"percent_off": 150})"}})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "promotion 'bad' tier 't1': discount.percent_off must be greater than 0 and at most "
        "100, got 150");
  }
  try {
    RuleSet rules({promotion("bad", {{"t1", "subtotl >= 1", R"({"percent_off": 10})"}})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("promotion 'bad' tier 't1': condition: ", 0), 0u)
        << e.what();
  }
  PromotionDefinition xyz = promotion("odd", {});
  xyz.currency = "XYZ";
  try {
    RuleSet rules({xyz});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "promotion 'odd': unknown currency 'XYZ'");
  }
  EXPECT_THROW(validate_currency("XYZ"), Error);
  EXPECT_NO_THROW(validate_currency("JPY"));
  EXPECT_NO_THROW(validate_tier("USD", "subtotal >= 50.00", R"({"percent_off": 5})"));
  EXPECT_THROW(validate_tier("USD", "subtotal >= 50.00", R"({"percnt_off": 5})"), Error);
  EXPECT_EQ(canonical_condition("USD", "subtotal>=50"),
            canonical_condition("USD", "subtotal >= 50.00"));
}

}  // namespace
}  // namespace promo
