// Customers and segments in evaluation: tactics T1, T4, T6 with membership computed by
// SegmentSet::compute, conditions reading history and customer fields directly, and what the
// rule set reads.
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

}  // namespace
}  // namespace promo
