// The engine end to end: tactics T2/T3/T5, stacking, exclusivity, time windows, explanations,
// hints, interruption, and a randomized comparison of the indexed evaluation with brute force.
#include "core/engine.hpp"

#include "segment_test_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace promo {
namespace {

struct Line {
  std::string sku;
  int64_t quantity;
  int64_t unit_price;
  std::string category = "";
};

// Builds a cart by hand, so these tests do not depend on the cart decoder.
Cart make_cart(const std::vector<Line>& lines, const char* currency = "USD") {
  Cart cart;
  cart.currency = find_currency(currency);
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

// A promotion in USD with the given tiers (name, condition, discount).
PromotionDefinition promotion(std::string name, std::vector<TierDefinition> tiers,
                              int32_t priority = 0, bool exclusive = false) {
  static int64_t sequence = 0;
  PromotionDefinition p;
  p.name = std::move(name);
  p.currency = "USD";
  p.priority = priority;
  p.exclusive = exclusive;
  p.sequence = ++sequence;
  p.tiers = std::move(tiers);
  return p;
}

std::vector<PromotionDefinition> spend_more() {
  return {
      promotion("spend-more", {{"5% from $50", "subtotal >= 50.00", R"({"percent_off": 5})"},
                               {"10% from $100", "subtotal >= 100.00", R"({"percent_off": 10})"}})};
}

Result evaluate(const RuleSet& rules, const Cart& cart, bool explain = true, int64_t at = 0) {
  EvalOptions options;
  options.at = at;
  options.explain = explain;
  return rules.evaluate(cart, options);
}

// The invariants every result keeps, whatever the promotions.
void expect_invariants(const Cart& cart, const Result& r) {
  ASSERT_EQ(r.items.size(), cart.items.size());
  EXPECT_EQ(r.subtotal, cart.subtotal);
  EXPECT_EQ(r.total, r.subtotal - r.discount);
  int64_t applied_sum = 0;
  for (const AppliedPromotion& a : r.applied) {
    EXPECT_GT(a.discount, 0);
    applied_sum += a.discount;
  }
  EXPECT_EQ(applied_sum, r.discount);
  std::vector<int64_t> by_applied(r.applied.size(), 0);
  int64_t line_sum = 0;
  for (size_t i = 0; i < r.items.size(); ++i) {
    const ItemResult& item = r.items[i];
    EXPECT_EQ(item.index, i);
    EXPECT_GE(item.discount, 0);
    EXPECT_LE(item.discount, cart.items[i].line_total);
    EXPECT_EQ(item.total, cart.items[i].line_total - item.discount);
    int64_t parts = 0;
    for (const LineDiscount& d : item.discounts) {
      ASSERT_LT(d.applied_index, r.applied.size());
      EXPECT_GT(d.amount, 0);
      by_applied[d.applied_index] += d.amount;
      parts += d.amount;
    }
    EXPECT_EQ(parts, item.discount);
    line_sum += item.discount;
  }
  EXPECT_EQ(line_sum, r.discount);
  for (size_t a = 0; a < r.applied.size(); ++a) EXPECT_EQ(by_applied[a], r.applied[a].discount);
}

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

// Customers and segments: tactics T1, T4, T6 with membership computed by SegmentSet::compute,
// conditions reading history and customer fields directly, and what the rule set reads.
using testing::contract_segments;
using testing::customer;
using testing::kDay;
using testing::kHour;
using testing::utc;

// A customer's facts and their membership of every segment of `segments`, as the adapter
// would load them (membership computed here from scratch).
struct Shopper {
  CustomerFacts facts;
  IntervalMembership membership;

  Shopper(const SegmentSet& segments, CustomerFacts customer_facts)
      : facts(std::move(customer_facts)) {
    std::vector<uint32_t> ids(segments.size());
    for (uint32_t id = 0; id < ids.size(); ++id) ids[id] = id;
    const auto intervals = segments.compute(facts, ids, Calendar());
    for (uint32_t id = 0; id < ids.size(); ++id) membership.set(id, intervals[id]);
  }
};

// Evaluates `cart` at `at` for `shopper` (null: a guest).
Result evaluate_for(const RuleSet& rules, const Cart& cart, const Shopper* shopper, int64_t at) {
  EvalOptions options;
  options.at = at;
  if (shopper != nullptr) {
    options.customer = &shopper->facts;
    options.segments = &shopper->membership;
  }
  return rules.evaluate(cart, options);
}

std::shared_ptr<const SegmentSet> contract_set() {
  return std::make_shared<const SegmentSet>(contract_segments());
}

TEST(EngineSegments, T1AbandonedCartGetsTenOffAndOthersSeeNotInSegment) {
  auto segments = contract_set();
  RuleSet rules({promotion("come-back-10", {{"$10 off", "in_segment('abandoned-cart')",
                                             R"({"amount_off": 1000})"}})},
                segments);
  const Cart cart = make_cart({{"TSHIRT", 3, 2500}});
  const int64_t t1 = utc(2026, 11, 2, 9);
  const Shopper alice(*segments, customer(std::nullopt, {{"cart_abandoned", {t1}}}));
  Result r = evaluate_for(rules, cart, &alice, t1 + kHour);
  expect_invariants(cart, r);
  ASSERT_EQ(r.applied.size(), 1u);
  EXPECT_EQ(r.applied[0].promotion, "come-back-10");
  EXPECT_EQ(r.applied[0].tier, "$10 off");
  EXPECT_EQ(r.discount, 1000);
  EXPECT_EQ(r.total, 6500);
  EXPECT_TRUE(r.not_applied.empty());
  EXPECT_TRUE(r.hints.empty());

  // Before the abandonment alice is not yet a member.
  Result early = evaluate_for(rules, cart, &alice, t1 - 1);
  ASSERT_EQ(early.not_applied.size(), 1u);
  EXPECT_EQ(early.not_applied[0].reason_code, "not_in_segment");
  EXPECT_EQ(early.not_applied[0].reason, "tier '$10 off': not in segment abandoned-cart");

  // bob ordered after abandoning: not a member.
  const Shopper bob(*segments, customer(std::nullopt, {{"cart_abandoned", {t1}},
                                                       {"order_placed", {t1 + kHour}}}));
  Result b = evaluate_for(rules, cart, &bob, t1 + 2 * kHour);
  EXPECT_TRUE(b.applied.empty());
  ASSERT_EQ(b.not_applied.size(), 1u);
  EXPECT_EQ(b.not_applied[0].promotion, "come-back-10");
  EXPECT_EQ(b.not_applied[0].reason_code, "not_in_segment");
  EXPECT_EQ(b.not_applied[0].reason, "tier '$10 off': not in segment abandoned-cart");
  EXPECT_TRUE(b.hints.empty());  // nothing in the cart can make bob a member

  // A guest is in no segment.
  Result guest = evaluate_for(rules, cart, nullptr, t1 + kHour);
  EXPECT_EQ(guest.discount, 0);
  ASSERT_EQ(guest.not_applied.size(), 1u);
  EXPECT_EQ(guest.not_applied[0].reason_code, "not_in_segment");
  EXPECT_EQ(guest.not_applied[0].reason, "tier '$10 off': not in segment abandoned-cart");
}

TEST(EngineSegments, T4RedeemedThisMonthOrReferrersGetFifteenPercent) {
  auto segments = contract_set();
  RuleSet rules({promotion("loyalty-15", {{"15%",
                                           "in_segment('redeemed-this-month') or "
                                           "in_segment('referrers')",
                                           R"({"percent_off": 15})"}})},
                segments);
  const Cart cart = make_cart({{"MUG", 2, 1250}, {"TEA", 1, 999}});  // 3499
  const Shopper redeemer(*segments,
                         customer(std::nullopt, {{"coupon_redeemed", {utc(2026, 11, 10, 12)}}}));
  Result in_month = evaluate_for(rules, cart, &redeemer, utc(2026, 11, 20));
  expect_invariants(cart, in_month);
  ASSERT_EQ(in_month.applied.size(), 1u);
  EXPECT_EQ(in_month.discount, 375 + 150);  // 15% of 2500 and of 999, half-up per line
  EXPECT_EQ(in_month.items[0].discount, 375);
  EXPECT_EQ(in_month.items[1].discount, 150);
  // December: the redemption was last month.
  Result next_month = evaluate_for(rules, cart, &redeemer, utc(2026, 12, 1));
  EXPECT_TRUE(next_month.applied.empty());
  ASSERT_EQ(next_month.not_applied.size(), 1u);
  EXPECT_EQ(next_month.not_applied[0].reason_code, "not_in_segment");
  // A referrer qualifies at any time after the referral.
  const Shopper referrer(*segments,
                         customer(std::nullopt, {{"referral_completed", {utc(2026, 3, 1)}}}));
  EXPECT_EQ(evaluate_for(rules, cart, &referrer, utc(2027, 6, 1)).discount, 525);
  EXPECT_EQ(evaluate_for(rules, cart, &referrer, utc(2026, 2, 28)).discount, 0);
}

TEST(EngineSegments, T6NewThisWeekGetsTenPercentUntilTheStartOfNextWeek) {
  auto segments = contract_set();
  RuleSet rules(
      {promotion("welcome-10", {{"10%", "in_segment('new-this-week')", R"({"percent_off": 10})"}})},
      segments);
  const Cart cart = make_cart({{"BOOK", 1, 4000}});
  const Shopper newcomer(*segments, customer(utc(2026, 11, 25, 10)));
  EXPECT_EQ(evaluate_for(rules, cart, &newcomer, utc(2026, 11, 25, 10)).discount, 400);
  EXPECT_EQ(evaluate_for(rules, cart, &newcomer, utc(2026, 11, 30) - 1).discount, 400);
  Result monday = evaluate_for(rules, cart, &newcomer, utc(2026, 11, 30));
  EXPECT_EQ(monday.discount, 0);
  ASSERT_EQ(monday.not_applied.size(), 1u);
  EXPECT_EQ(monday.not_applied[0].reason, "tier '10%': not in segment new-this-week");
  EXPECT_EQ(evaluate_for(rules, cart, &newcomer, utc(2026, 11, 25, 10) - 1).discount, 0);
}

TEST(EngineSegments, ConditionsReadHistoryAndCustomerFieldsDirectly) {
  RuleSet rules({promotion("regulars",
                           {{"5% for 3 orders", "count('order_placed') >= 3 and subtotal >= 20.00",
                             R"({"percent_off": 5})"}}),
                 promotion("come-back", {{"$5 off", "last('cart_abandoned') > last('order_placed')",
                                          R"({"amount_off": 500})"}}),
                 promotion("recent", {{"$2 off", "count('order_placed', within => '7 days') >= 1",
                                       R"({"amount_off": 200})"}})});
  const Cart cart = make_cart({{"A", 1, 3000}});
  const int64_t day0 = utc(2026, 11, 1);
  const SegmentSet none(std::vector<SegmentDefinition>{});
  Shopper regular(none,
                  customer(std::nullopt, {{"order_placed", {day0, day0 + kDay, day0 + 2 * kDay}},
                                          {"cart_abandoned", {day0 + 3 * kDay}}}));
  // Day 3 + 1h: three orders, abandoned after the last one, the last order within 7 days.
  Result r = evaluate_for(rules, cart, &regular, day0 + 3 * kDay + kHour);
  expect_invariants(cart, r);
  ASSERT_EQ(r.applied.size(), 3u);
  EXPECT_EQ(r.applied[0].discount, 150);  // 5% of 3000
  EXPECT_EQ(r.applied[1].discount, 500);
  EXPECT_EQ(r.applied[2].discount, 200);
  // Before the third order only two count, and the abandonment is still in the future.
  Result before = evaluate_for(rules, cart, &regular, day0 + 2 * kDay - 1);
  ASSERT_EQ(before.applied.size(), 1u);
  EXPECT_EQ(before.applied[0].promotion, "recent");
  ASSERT_EQ(before.not_applied.size(), 2u);
  EXPECT_EQ(before.not_applied[0].reason_code, "condition_failed");
  EXPECT_EQ(before.not_applied[0].reason.rfind("tier '5% for 3 orders': ", 0), 0u);
  // Ten days after the last order: not recent any more.
  Result later = evaluate_for(rules, cart, &regular, day0 + 12 * kDay);
  ASSERT_EQ(later.applied.size(), 2u);
  EXPECT_EQ(later.applied[1].promotion, "come-back");
  // A guest has no history.
  EXPECT_TRUE(evaluate_for(rules, cart, nullptr, day0 + 3 * kDay).applied.empty());
}

TEST(EngineSegments, HintsOnlyWhenTheCustomerSidePartAlreadyHolds) {
  auto segments = contract_set();
  RuleSet rules({promotion("come-back-big", {{"$10 off from $50",
                                              "in_segment('abandoned-cart') and subtotal >= 50.00",
                                              R"({"amount_off": 1000})"}})},
                segments);
  const Cart cart = make_cart({{"A", 1, 3000}});
  const int64_t t1 = utc(2026, 11, 2, 9);
  const Shopper member(*segments, customer(std::nullopt, {{"cart_abandoned", {t1}}}));
  Result r = evaluate_for(rules, cart, &member, t1);
  ASSERT_EQ(r.not_applied.size(), 1u);
  EXPECT_EQ(r.not_applied[0].reason_code, "condition_failed");
  EXPECT_EQ(r.not_applied[0].reason,
            "tier '$10 off from $50': subtotal >= 50.00 is false (subtotal is 30.00)");
  ASSERT_EQ(r.hints.size(), 1u);
  EXPECT_EQ(r.hints[0].missing, "subtotal 2000 short");
  // A non-member cannot get there by adding to the cart: no hint, and the segment is the reason.
  Result guest = evaluate_for(rules, cart, nullptr, t1);
  ASSERT_EQ(guest.not_applied.size(), 1u);
  EXPECT_EQ(guest.not_applied[0].reason_code, "not_in_segment");
  EXPECT_TRUE(guest.hints.empty());
}

TEST(EngineSegments, DependenciesAndUsersOfASegment) {
  auto segments = contract_set();
  RuleSet rules(
      {promotion("come-back-10",
                 {{"$10 off", "in_segment('abandoned-cart')", R"({"amount_off": 1000})"}}),
       promotion(
           "loyalty",
           {{"a", "in_segment('referrers') and subtotal >= 10.00", R"({"percent_off": 5})"},
            {"b", "in_segment('abandoned-cart') or customer.vip = true", R"({"percent_off": 7})"}}),
       promotion("history", {{"h", "count('order_placed', since => start_of_month()) >= 1",
                              R"({"percent_off": 1})"}})},
      segments);
  const rule::Dependencies& d = rules.dependencies();
  EXPECT_EQ(d.event_types, std::vector<std::string>{"order_placed"});
  EXPECT_EQ(d.segments, (std::vector<uint32_t>{*segments->find("abandoned-cart"),
                                               *segments->find("referrers")}));
  EXPECT_TRUE(d.customer_fields);
  EXPECT_TRUE(d.time);
  EXPECT_TRUE(d.cart);
  using Users = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(rules.users_of_segment(*segments->find("abandoned-cart")),
            (Users{{"come-back-10", "$10 off"}, {"loyalty", "b"}}));
  EXPECT_EQ(rules.users_of_segment(*segments->find("referrers")), (Users{{"loyalty", "a"}}));
  EXPECT_TRUE(rules.users_of_segment(*segments->find("new-this-week")).empty());
  EXPECT_EQ(rules.segments(), segments);

  RuleSet plain(spend_more());
  EXPECT_TRUE(plain.dependencies().event_types.empty());
  EXPECT_TRUE(plain.dependencies().segments.empty());
  EXPECT_FALSE(plain.dependencies().customer_fields);
  EXPECT_FALSE(plain.dependencies().time);
  EXPECT_TRUE(plain.dependencies().cart);
}

TEST(EngineSegments, SegmentNamesResolveOnlyAgainstTheCatalogue) {
  auto segments = contract_set();
  try {
    RuleSet rules({promotion("x", {{"t", "in_segment('abandond-cart')", R"({"percent_off": 5})"}})},
                  segments);
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "promotion 'x' tier 't': condition: unknown segment 'abandond-cart' at 1:12");
  }
  // Without a catalogue no segment is known.
  EXPECT_THROW(
      RuleSet({promotion("x", {{"t", "in_segment('abandoned-cart')", R"({"percent_off": 5})"}})}),
      Error);
  EXPECT_NO_THROW(validate_tier("USD", "in_segment('referrers') and subtotal >= 5.00",
                                R"({"percent_off": 5})", segments.get()));
  try {
    validate_tier("USD", "in_segment('referers')", R"({"percent_off": 5})", segments.get());
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "condition: unknown segment 'referers' at 1:12");
  }
  EXPECT_THROW(validate_tier("USD", "in_segment('referrers')", R"({"percent_off": 5})"), Error);
  EXPECT_EQ(canonical_condition("USD", "IN_SEGMENT('referrers') AND subtotal>=5", segments.get()),
            "in_segment('referrers') and subtotal >= 5.00");
}

// Random definitions and carts for the property test: a small catalogue so conditions often
// hold, every discount shape, priorities, exclusivity, time windows, foreign currencies.
class RandomWorld {
 public:
  // `customer_side`: conditions also read segments (s0..s2 of world_segments()), history and
  // customer fields.
  explicit RandomWorld(uint32_t seed, bool customer_side = false)
      : rng_(seed), customer_side_(customer_side) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string sku() { return "S" + std::to_string(pick(10)); }
  std::string category() { return "C" + std::to_string(pick(4)); }
  std::string money() { return std::to_string(pick(120)) + "." + std::to_string(10 + pick(90)); }

  std::string condition() {
    if (customer_side_ && pick(3) == 0) return customer_condition();
    switch (pick(12)) {
      case 0:
        return "has(sku = '" + sku() + "')";
      case 1:
        return "has(category = '" + category() + "')";
      case 2:
        return "subtotal >= " + money();
      case 3:
        return "has(sku = '" + sku() + "') and has(sku = '" + sku() + "')";
      case 4:
        return "quantity(category = '" + category() + "') >= " + std::to_string(1 + pick(4));
      case 5:
        return "has(sku = '" + sku() + "') or subtotal >= " + money();
      case 6:
        return "amount(sku in ('" + sku() + "', '" + sku() + "')) >= " + money();
      case 7:
        return "not has(sku = '" + sku() + "')";
      case 8:
        return "has(sku = '" + sku() + "' or category = '" + category() + "')";
      case 9:
        return "subtotal >= " + money() + " and has(category = '" + category() + "')";
      case 10:
        return "quantity >= " + std::to_string(pick(6));
      default:
        return "has(unit_price >= " + money() + " and sku <> '" + sku() + "')";
    }
  }

  // A condition reading customer-side facts, alone or with cart parts.
  std::string customer_condition() {
    const std::string segment = "in_segment('s" + std::to_string(pick(3)) + "')";
    switch (pick(8)) {
      case 0:
        return segment;
      case 1:
        return segment + " and has(sku = '" + sku() + "')";
      case 2:
        return "count('order_placed') >= " + std::to_string(1 + pick(3)) +
               " or subtotal >= " + money();
      case 3:
        return "not " + segment + " and has(category = '" + category() + "')";
      case 4:
        return "last('cart_abandoned') > last('order_placed') and quantity >= " +
               std::to_string(pick(5));
      case 5:
        return "customer.tier = 'gold' and (has(sku = '" + sku() + "') or " + segment + ")";
      case 6:
        return "(" + segment + " or has(sku = '" + sku() + "')) and subtotal >= " + money();
      default:
        return "count('cart_abandoned', within => '2 days') >= 1 and has(category = '" +
               category() + "')";
    }
  }

  // The segments customer-side conditions name.
  static std::vector<SegmentDefinition> world_segments() {
    return {{"s2", "in_segment('s0') and count('cart_abandoned', within => '3 days') >= 1"},
            {"s0", "count('order_placed') >= 2"},
            {"s1", "last('cart_abandoned') > last('order_placed')"}};
  }

  // A random history around the epoch (evaluations happen at 0..2100 µs), or nullopt: a guest.
  std::optional<CustomerFacts> history() {
    if (pick(5) == 0) return std::nullopt;
    auto when = [&] { return pick(3) == 0 ? int64_t{pick(4) * 700} : (pick(144) - 120) * kHour; };
    std::map<std::string, std::vector<int64_t>> events;
    for (const char* type : {"order_placed", "cart_abandoned"}) {
      const int n = pick(4);
      for (int i = 0; i < n; ++i) events[type].push_back(when());
    }
    CustomerFacts facts = customer(std::nullopt, events);
    if (pick(2) == 0) {
      AttributeValue tier;
      tier.kind = AttributeValue::Kind::kString;
      tier.text = pick(2) == 0 ? "gold" : "silver";
      facts.attributes.emplace_back("tier", tier);
    }
    return facts;
  }

  std::string discount() {
    std::string d;
    switch (pick(4)) {
      case 0:
        d = "\"percent_off\": " + std::to_string(1 + pick(100));
        break;
      case 1:
        d = "\"percent_off\": " + std::to_string(pick(99)) + "." + std::to_string(1 + pick(9999));
        break;
      case 2:
        d = "\"amount_off\": " + std::to_string(1 + pick(8000));
        break;
      default:
        d = "\"fixed_price\": " + std::to_string(pick(3000));
        break;
    }
    if (pick(2) == 0)
      d += ", \"target\": \"" +
           (pick(2) ? "sku = '" + sku() + "'" : "category = '" + category() + "'") + "\"";
    if (pick(4) == 0) d += ", \"max_units\": " + std::to_string(pick(5));
    if (pick(5) == 0) d += ", \"max_units\": \"quantity(sku = '" + sku() + "') / 2\"";
    if (pick(4) == 0) d += ", \"max_amount\": " + std::to_string(1 + pick(3000));
    return "{" + d + "}";
  }

  std::vector<PromotionDefinition> promotions(int count) {
    std::vector<PromotionDefinition> defs;
    for (int i = 0; i < count; ++i) {
      PromotionDefinition p;
      p.name = "p" + std::to_string(i);
      p.currency = pick(15) == 0 ? "EUR" : "USD";
      p.priority = pick(4);
      p.exclusive = pick(8) == 0;
      p.sequence = pick(1000);  // duplicates on purpose: ties keep definition order
      if (pick(10) == 0) p.starts_at = pick(3) * 1000;
      if (pick(10) == 0) p.ends_at = 500 + pick(3) * 1000;
      const int tiers = pick(12) == 0 ? 0 : 1 + pick(3);
      for (int t = 0; t < tiers; ++t) {
        p.tiers.push_back({"t" + std::to_string(t), condition(), discount()});
      }
      defs.push_back(std::move(p));
    }
    return defs;
  }

  Cart cart() {
    std::vector<Line> lines;
    const int n = pick(9);
    for (int i = 0; i < n; ++i) {
      lines.push_back({sku(), 1 + pick(5), pick(6) == 0 ? 0 : pick(5000), category()});
    }
    return make_cart(lines, pick(20) == 0 ? "EUR" : "USD");
  }

 private:
  std::mt19937 rng_;
  bool customer_side_ = false;
};

// Full structural equality of two results, with a readable failure.
void expect_same(const Result& a, const Result& b, bool compare_explain) {
  ASSERT_EQ(a.discount, b.discount);
  ASSERT_EQ(a.applied.size(), b.applied.size());
  for (size_t i = 0; i < a.applied.size(); ++i) {
    EXPECT_EQ(a.applied[i].promotion, b.applied[i].promotion);
    EXPECT_EQ(a.applied[i].tier, b.applied[i].tier);
    EXPECT_EQ(a.applied[i].discount, b.applied[i].discount);
  }
  ASSERT_EQ(a.items.size(), b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    EXPECT_EQ(a.items[i].discount, b.items[i].discount);
    ASSERT_EQ(a.items[i].discounts.size(), b.items[i].discounts.size());
    for (size_t k = 0; k < a.items[i].discounts.size(); ++k) {
      EXPECT_EQ(a.items[i].discounts[k].applied_index, b.items[i].discounts[k].applied_index);
      EXPECT_EQ(a.items[i].discounts[k].amount, b.items[i].discounts[k].amount);
    }
  }
  if (!compare_explain) return;
  ASSERT_EQ(a.not_applied.size(), b.not_applied.size());
  for (size_t i = 0; i < a.not_applied.size(); ++i) {
    EXPECT_EQ(a.not_applied[i].promotion, b.not_applied[i].promotion);
    EXPECT_EQ(a.not_applied[i].reason_code, b.not_applied[i].reason_code);
    EXPECT_EQ(a.not_applied[i].reason, b.not_applied[i].reason);
  }
  ASSERT_EQ(a.hints.size(), b.hints.size());
  for (size_t i = 0; i < a.hints.size(); ++i) {
    EXPECT_EQ(a.hints[i].promotion, b.hints[i].promotion);
    EXPECT_EQ(a.hints[i].tier, b.hints[i].tier);
    EXPECT_EQ(a.hints[i].missing, b.hints[i].missing);
  }
}

TEST(EngineProperty, IndexMatchesBruteForceAndInvariantsHold) {
  int applied_total = 0;
  for (uint32_t world = 0; world < 40; ++world) {
    RandomWorld random(world * 7919 + 1);
    RuleSet rules(random.promotions(1 + random.pick(60)));
    for (int c = 0; c < 100; ++c) {
      const Cart cart = random.cart();
      EvalOptions options;
      options.at = random.pick(4) * 700;
      const Result indexed = rules.evaluate(cart, options);
      options.use_index = false;
      const Result brute = rules.evaluate(cart, options);
      options.explain = false;
      const Result brute_quiet = rules.evaluate(cart, options);
      options.use_index = true;
      const Result quiet = rules.evaluate(cart, options);
      SCOPED_TRACE("world " + std::to_string(world) + " cart " + std::to_string(c));
      expect_invariants(cart, indexed);
      expect_same(indexed, brute, true);
      expect_same(indexed, quiet, false);
      expect_same(indexed, brute_quiet, false);
      EXPECT_TRUE(quiet.not_applied.empty());
      EXPECT_TRUE(quiet.hints.empty());
      EXPECT_EQ(indexed.applied.size() + indexed.not_applied.size(), rules.size());
      applied_total += static_cast<int>(indexed.applied.size());
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(applied_total, 1000);  // the worlds really exercise application, not just failure
}

TEST(EngineProperty, IndexMatchesBruteForceWithCustomersAndSegments) {
  auto segments = std::make_shared<const SegmentSet>(RandomWorld::world_segments());
  int applied_total = 0;
  int segment_gated = 0;
  for (uint32_t world = 0; world < 30; ++world) {
    RandomWorld random(world * 6271 + 5, true);
    RuleSet rules(random.promotions(1 + random.pick(60)), segments);
    for (int c = 0; c < 60; ++c) {
      const Cart cart = random.cart();
      const std::optional<CustomerFacts> history = random.history();
      std::optional<Shopper> shopper;
      if (history) shopper.emplace(*segments, *history);
      EvalOptions options;
      options.at = random.pick(4) * 700;
      if (shopper) {
        options.customer = &shopper->facts;
        options.segments = &shopper->membership;
      }
      const Result indexed = rules.evaluate(cart, options);
      options.use_index = false;
      const Result brute = rules.evaluate(cart, options);
      options.explain = false;
      const Result brute_quiet = rules.evaluate(cart, options);
      options.use_index = true;
      const Result quiet = rules.evaluate(cart, options);
      SCOPED_TRACE("world " + std::to_string(world) + " cart " + std::to_string(c));
      expect_invariants(cart, indexed);
      expect_same(indexed, brute, true);
      expect_same(indexed, quiet, false);
      expect_same(indexed, brute_quiet, false);
      EXPECT_EQ(indexed.applied.size() + indexed.not_applied.size(), rules.size());
      applied_total += static_cast<int>(indexed.applied.size());
      for (const NotApplied& n : indexed.not_applied) {
        segment_gated += n.reason_code == "not_in_segment" ? 1 : 0;
      }
      if (HasFatalFailure()) return;
    }
  }
  EXPECT_GT(applied_total, 500);
  EXPECT_GT(segment_gated, 50);  // segment conditions really fail sometimes, and say so
}

}  // namespace
}  // namespace promo
