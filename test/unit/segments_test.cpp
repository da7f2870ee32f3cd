// Segments: the catalogue (topological ids, dependents, event types read), errors (unknown
// segments, cycles, rule errors) with exact messages, membership intervals of the contract's
// segments in UTC and in a zone with daylight saving time, in_segment() chains, interruption,
// and a brute-force oracle over random histories and definitions.
#include "core/segments.hpp"

#include "core/rule.hpp"
#include "segment_test_support.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace promo {
namespace {

using testing::contract_segments;
using testing::customer;
using testing::kDay;
using testing::kHour;
using testing::kMinute;
using testing::utc;
using testing::warsaw_2026;

// The membership intervals of segment `name` for `facts`.
std::vector<Interval> membership(const SegmentSet& set, const CustomerFacts& facts,
                                 const std::string& name, const Calendar& calendar = Calendar()) {
  std::optional<uint32_t> id = set.find(name);
  EXPECT_TRUE(id.has_value()) << name;
  if (!id) return {};
  const uint32_t ids[] = {*id};
  return set.compute(facts, ids, calendar).front();
}

// The message of the Error that `build` throws ("" when it throws none).
template <class Fn>
std::string error_of(Fn build) {
  try {
    build();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

constexpr int64_t kInf = kPlusInfinity;

// Builds a catalogue and drops it: for tests that expect the constructor to throw.
void build(std::vector<SegmentDefinition> definitions) {
  SegmentSet set(std::move(definitions));
}

TEST(SegmentMembership, NewThisWeekRunsFromSignUpToTheStartOfNextWeek) {
  SegmentSet set(contract_segments());
  // Wednesday 2026-11-25 10:00 UTC: member until Monday 2026-11-30 00:00 UTC.
  EXPECT_EQ(membership(set, customer(utc(2026, 11, 25, 10)), "new-this-week"),
            (std::vector<Interval>{{utc(2026, 11, 25, 10), utc(2026, 11, 30)}}));
  // Signed up exactly at the start of a week: the whole week.
  EXPECT_EQ(membership(set, customer(utc(2026, 11, 30)), "new-this-week"),
            (std::vector<Interval>{{utc(2026, 11, 30), utc(2026, 12, 7)}}));
  // Signed up on a Sunday evening: a few hours.
  EXPECT_EQ(membership(set, customer(utc(2026, 11, 29, 22)), "new-this-week"),
            (std::vector<Interval>{{utc(2026, 11, 29, 22), utc(2026, 11, 30)}}));
  // Unknown sign-up time: never.
  EXPECT_TRUE(membership(set, customer(std::nullopt), "new-this-week").empty());
}

TEST(SegmentMembership, NewThisWeekFollowsTheLocalMondayAcrossDaylightSaving) {
  SegmentSet set(contract_segments());
  const Calendar warsaw = warsaw_2026();
  // UTC+1: local Monday 2026-11-30 00:00 is 2026-11-29 23:00 UTC.
  EXPECT_EQ(membership(set, customer(utc(2026, 11, 25, 10)), "new-this-week", warsaw),
            (std::vector<Interval>{{utc(2026, 11, 25, 10), utc(2026, 11, 29, 23)}}));
  // Signed up in summer time (UTC+2) on Wednesday 2026-10-21; the week ends after the switch
  // back to UTC+1 on 2026-10-25, at local Monday 2026-10-26 00:00 = 2026-10-25 23:00 UTC.
  EXPECT_EQ(membership(set, customer(utc(2026, 10, 21, 10)), "new-this-week", warsaw),
            (std::vector<Interval>{{utc(2026, 10, 21, 10), utc(2026, 10, 25, 23)}}));
  // Sunday 2026-11-29 23:30 UTC is already Monday 00:30 in Warsaw: a whole local week.
  EXPECT_EQ(membership(set, customer(utc(2026, 11, 29, 23, 30)), "new-this-week", warsaw),
            (std::vector<Interval>{{utc(2026, 11, 29, 23, 30), utc(2026, 12, 6, 23)}}));
}

TEST(SegmentMembership, AbandonedCartIsTrueBetweenAnAbandonmentAndTheNextOrder) {
  SegmentSet set(contract_segments());
  const int64_t t1 = utc(2026, 11, 2, 9);
  const int64_t t2 = utc(2026, 11, 3, 12);
  const int64_t t3 = utc(2026, 11, 5, 18, 30);
  EXPECT_EQ(membership(
                set, customer(std::nullopt, {{"cart_abandoned", {t1, t3}}, {"order_placed", {t2}}}),
                "abandoned-cart"),
            (std::vector<Interval>{{t1, t2}, {t3, kInf}}));
  // An order at the same instant as the abandonment: last() are equal, not greater.
  EXPECT_TRUE(membership(set,
                         customer(std::nullopt, {{"cart_abandoned", {t1}}, {"order_placed", {t1}}}),
                         "abandoned-cart")
                  .empty());
  // Two abandonments in a row: one interval from the first.
  EXPECT_EQ(
      membership(set, customer(std::nullopt, {{"cart_abandoned", {t1, t2}}}), "abandoned-cart"),
      (std::vector<Interval>{{t1, kInf}}));
  // No history at all: never.
  EXPECT_TRUE(membership(set, customer(std::nullopt), "abandoned-cart").empty());
}

TEST(SegmentMembership, AbandonedTwoDaysStartsTwoDaysAfterTheAbandonment) {
  SegmentSet set(contract_segments());
  const int64_t t0 = utc(2026, 11, 2, 9, 15);
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"cart_abandoned", {t0}}}), "abandoned-2-days"),
            (std::vector<Interval>{{t0 + 2 * kDay, kInf}}));
  // An order one day later: never two days abandoned.
  EXPECT_TRUE(
      membership(set,
                 customer(std::nullopt, {{"cart_abandoned", {t0}}, {"order_placed", {t0 + kDay}}}),
                 "abandoned-2-days")
          .empty());
  // An order three days later ends it.
  EXPECT_EQ(membership(set,
                       customer(std::nullopt,
                                {{"cart_abandoned", {t0}}, {"order_placed", {t0 + 3 * kDay}}}),
                       "abandoned-2-days"),
            (std::vector<Interval>{{t0 + 2 * kDay, t0 + 3 * kDay}}));
  // A second abandonment restarts the two days: [t0 + 2d, t0 + 3d), then from t4 + 2d.
  const int64_t t4 = t0 + 5 * kDay;
  EXPECT_EQ(membership(set,
                       customer(std::nullopt,
                                {{"cart_abandoned", {t0, t4}}, {"order_placed", {t0 + 3 * kDay}}}),
                       "abandoned-2-days"),
            (std::vector<Interval>{{t0 + 2 * kDay, t0 + 3 * kDay}, {t4 + 2 * kDay, kInf}}));
}

TEST(SegmentMembership, RedeemedThisMonthRunsToTheStartOfNextMonth) {
  SegmentSet set(contract_segments());
  const int64_t t = utc(2026, 11, 10, 12);
  EXPECT_EQ(
      membership(set, customer(std::nullopt, {{"coupon_redeemed", {t}}}), "redeemed-this-month"),
      (std::vector<Interval>{{t, utc(2026, 12, 1)}}));
  // Two months apart: two intervals.
  const int64_t u = utc(2027, 1, 5, 8);
  EXPECT_EQ(
      membership(set, customer(std::nullopt, {{"coupon_redeemed", {t, u}}}), "redeemed-this-month"),
      (std::vector<Interval>{{t, utc(2026, 12, 1)}, {u, utc(2027, 2, 1)}}));
  // Twice in one month: one interval from the first.
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"coupon_redeemed", {t, t + 5 * kDay}}}),
                       "redeemed-this-month"),
            (std::vector<Interval>{{t, utc(2026, 12, 1)}}));
  // The last minute of November and the first instant of December: adjacent, so merged.
  EXPECT_EQ(membership(set,
                       customer(std::nullopt, {{"coupon_redeemed",
                                                {utc(2026, 12, 1) - kMinute, utc(2026, 12, 1)}}}),
                       "redeemed-this-month"),
            (std::vector<Interval>{{utc(2026, 12, 1) - kMinute, utc(2027, 1, 1)}}));
  // Leap year: February 2028 has 29 days.
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"coupon_redeemed", {utc(2028, 2, 28, 23)}}}),
                       "redeemed-this-month"),
            (std::vector<Interval>{{utc(2028, 2, 28, 23), utc(2028, 3, 1)}}));
}

TEST(SegmentMembership, RedeemedThisMonthUsesTheLocalMonthStart) {
  SegmentSet set(contract_segments());
  // In Warsaw (UTC+2 from 2026-03-29) April starts at 2026-03-31 22:00 UTC.
  const int64_t t = utc(2026, 3, 10, 12);
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"coupon_redeemed", {t}}}),
                       "redeemed-this-month", warsaw_2026()),
            (std::vector<Interval>{{t, utc(2026, 3, 31, 22)}}));
  // 2026-10-31 23:30 UTC is already November in Warsaw (UTC+1): until 2026-11-30 23:00 UTC.
  const int64_t late = utc(2026, 10, 31, 23, 30);
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"coupon_redeemed", {late}}}),
                       "redeemed-this-month", warsaw_2026()),
            (std::vector<Interval>{{late, utc(2026, 11, 30, 23)}}));
}

TEST(SegmentMembership, ReferrersFromTheFirstReferralOn) {
  SegmentSet set(contract_segments());
  const int64_t r1 = utc(2026, 11, 4, 8);
  EXPECT_EQ(membership(set, customer(std::nullopt, {{"referral_completed", {r1 + kDay, r1}}}),
                       "referrers"),
            (std::vector<Interval>{{r1, kInf}}));
  EXPECT_TRUE(
      membership(set, customer(std::nullopt, {{"order_placed", {r1}}}), "referrers").empty());
}

TEST(SegmentMembership, ConstantRulesAreAllOrNothing) {
  SegmentSet set({{"everyone", "1 = 1"}, {"gold", "customer.tier = 'gold'"}});
  EXPECT_EQ(membership(set, customer(std::nullopt), "everyone"),
            (std::vector<Interval>{{kMinusInfinity, kInf}}));
  CustomerFacts gold = customer(std::nullopt);
  AttributeValue value;
  value.kind = AttributeValue::Kind::kString;
  value.text = "gold";
  gold.attributes.emplace_back("tier", value);
  EXPECT_EQ(membership(set, gold, "gold"), (std::vector<Interval>{{kMinusInfinity, kInf}}));
  EXPECT_TRUE(membership(set, customer(std::nullopt), "gold").empty());
}

// A three-level chain read through in_segment(), defined in reverse order.
std::vector<SegmentDefinition> chain_segments() {
  return {
      {"watch", "in_segment('abandoner-referrer') or signed_up_at >= start_of_week()"},
      {"abandoner-referrer", "in_segment('abandoned-cart') and count('referral_completed') >= 1"},
      {"abandoned-cart", "last('cart_abandoned') > last('order_placed')"},
  };
}

TEST(SegmentMembership, InSegmentReadsTheIntervalsOfTheSegmentsItNames) {
  SegmentSet set(chain_segments());
  const int64_t signup = utc(2026, 10, 28, 10);  // a Wednesday
  const int64_t t1 = utc(2026, 11, 2, 9);
  const int64_t r = utc(2026, 11, 4, 8);
  const int64_t t2 = utc(2026, 11, 6, 12);
  const int64_t t3 = utc(2026, 11, 9, 10);
  const CustomerFacts facts = customer(
      signup, {{"cart_abandoned", {t1, t3}}, {"order_placed", {t2}}, {"referral_completed", {r}}});
  EXPECT_EQ(membership(set, facts, "abandoned-cart"),
            (std::vector<Interval>{{t1, t2}, {t3, kInf}}));
  EXPECT_EQ(membership(set, facts, "abandoner-referrer"),
            (std::vector<Interval>{{r, t2}, {t3, kInf}}));
  EXPECT_EQ(membership(set, facts, "watch"),
            (std::vector<Interval>{{signup, utc(2026, 11, 2)}, {r, t2}, {t3, kInf}}));
  // Several at once, in the order asked, dependencies computed as needed.
  const uint32_t ids[] = {*set.find("watch"), *set.find("abandoned-cart")};
  const auto both = set.compute(facts, ids, Calendar());
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0], membership(set, facts, "watch"));
  EXPECT_EQ(both[1], membership(set, facts, "abandoned-cart"));
}

TEST(SegmentCatalogue, IdsAreTopologicalAndQuestionsFollowTheGraph) {
  SegmentSet set(chain_segments());
  ASSERT_EQ(set.size(), 3u);
  EXPECT_EQ(set.name(0), "abandoned-cart");
  EXPECT_EQ(set.name(1), "abandoner-referrer");
  EXPECT_EQ(set.name(2), "watch");
  EXPECT_EQ(set.find("watch"), 2u);
  EXPECT_EQ(set.find("nope"), std::nullopt);
  EXPECT_EQ(set.reads(0), std::vector<uint32_t>{});
  EXPECT_EQ(set.reads(1), std::vector<uint32_t>{0});
  EXPECT_EQ(set.reads(2), std::vector<uint32_t>{1});
  EXPECT_FALSE(set.reads_customer_fields(0));
  EXPECT_TRUE(set.reads_customer_fields(2));

  const std::vector<std::string> orders = {"order_placed"};
  EXPECT_EQ(set.affected_by_event_types(orders), (std::vector<uint32_t>{0, 1, 2}));
  const std::vector<std::string> referrals = {"referral_completed", "unrelated"};
  EXPECT_EQ(set.affected_by_event_types(referrals), (std::vector<uint32_t>{1, 2}));
  const std::vector<std::string> unrelated = {"unrelated"};
  EXPECT_TRUE(set.affected_by_event_types(unrelated).empty());
  EXPECT_EQ(set.affected_by_customer_fields(), (std::vector<uint32_t>{2}));

  const uint32_t middle[] = {1};
  EXPECT_EQ(set.with_dependents(middle), (std::vector<uint32_t>{1, 2}));
  EXPECT_EQ(set.event_types_read(middle),
            (std::vector<std::string>{"cart_abandoned", "order_placed", "referral_completed"}));
  const uint32_t first[] = {0};
  EXPECT_EQ(set.event_types_read(first),
            (std::vector<std::string>{"cart_abandoned", "order_placed"}));

  SegmentSet contract(contract_segments());
  const std::vector<std::string> coupons = {"coupon_redeemed"};
  EXPECT_EQ(contract.affected_by_event_types(coupons),
            std::vector<uint32_t>{*contract.find("redeemed-this-month")});
  EXPECT_EQ(contract.affected_by_customer_fields(),
            std::vector<uint32_t>{*contract.find("new-this-week")});
  // Without in_segment() the ids keep the definitions' order.
  EXPECT_EQ(contract.name(0), "abandoned-2-days");
  EXPECT_EQ(contract.name(4), "referrers");
}

TEST(SegmentCatalogue, CyclesAndUnknownNamesAreRejectedWithExactMessages) {
  EXPECT_EQ(error_of([] {
              build({{"a", "in_segment('b')"}, {"b", "in_segment('a')"}});
            }),
            "segment 'a': definition: in_segment makes a cycle: a -> b -> a");
  EXPECT_EQ(error_of([] {
              build({{"a", "in_segment('a') or count('x') >= 1"}});
            }),
            "segment 'a': definition: in_segment makes a cycle: a -> a");
  EXPECT_EQ(error_of([] {
              build({{"ok", "count('x') >= 1"},
                     {"c", "in_segment('a') and in_segment('ok')"},
                     {"a", "in_segment('b')"},
                     {"b", "in_segment('c')"}});
            }),
            "segment 'c': definition: in_segment makes a cycle: c -> a -> b -> c");
  try {
    build({{"a", "in_segment('b')"}, {"b", "in_segment('a')"}});
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "22023");
  }
  EXPECT_EQ(error_of([] {
              build({{"abandoned-cart", "count('cart_abandoned') >= 1"},
                     {"x", "in_segment('abandond-cart')"}});
            }),
            "segment 'x': definition: unknown segment 'abandond-cart' at 1:12");
  EXPECT_EQ(error_of([] {
              build({{"a", "count('x') >= 1"}, {"a", "count('y') >= 1"}});
            }),
            "segment 'a': defined more than once");
  EXPECT_EQ(error_of([] {
              build({{"big", "subtotal >= 50"}});
            }),
            "segment 'big': definition: subtotal is a cart field; it cannot be used in a segment "
            "definition at 1:1");
}

TEST(SegmentCatalogue, ValidateSegmentReportsThisDefinitionsErrors) {
  const std::vector<SegmentDefinition> others = {
      {"abandoned-cart", "last('cart_abandoned') > last('order_placed')"},
      {"a", "in_segment('b')"},
  };
  EXPECT_NO_THROW(validate_segment("b", "in_segment('abandoned-cart')", others));
  EXPECT_EQ(error_of([&] { validate_segment("x", "in_segment('abandond-cart')", others); }),
            "definition: unknown segment 'abandond-cart' at 1:12");
  EXPECT_EQ(error_of([&] { validate_segment("b", "count('x') >= 1 or in_segment('a')", others); }),
            "definition: in_segment makes a cycle: b -> a -> b");
  EXPECT_EQ(error_of([&] { validate_segment("s", "in_segment('s')", others); }),
            "definition: in_segment makes a cycle: s -> s");
  // Updating a segment replaces its old definition: the new one is what counts.
  const std::vector<SegmentDefinition> with_old = {{"s", "in_segment('s')"}, {"t", "1 = 1"}};
  EXPECT_NO_THROW(validate_segment("s", "in_segment('t')", with_old));
  const std::string syntax = error_of([&] { validate_segment("s", "count('x') >=", others); });
  EXPECT_EQ(syntax.rfind("definition: ", 0), 0u) << syntax;
  EXPECT_NE(syntax.find(" at 1:"), std::string::npos) << syntax;
}

TEST(SegmentCatalogue, PollInterruptsLongComputations) {
  SegmentSet set(contract_segments());
  std::vector<int64_t> times;
  for (int i = 0; i < 5000; ++i) times.push_back(utc(2026, 1, 1) + i * kHour);
  const CustomerFacts facts =
      customer(std::nullopt, {{"cart_abandoned", times}, {"order_placed", times}});
  const uint32_t ids[] = {*set.find("abandoned-2-days")};
  EXPECT_THROW(set.compute(facts, ids, Calendar(), [] { return true; }), Interrupted);
  EXPECT_NO_THROW(set.compute(facts, ids, Calendar(), [] { return false; }));
}

TEST(SegmentCatalogue, IntervalMembershipAnswersByBinarySearch) {
  IntervalMembership m;
  m.set(2, {{kMinusInfinity, 10}, {20, 30}, {40, kInf}});
  EXPECT_TRUE(m.contains(2, -1'000'000));
  EXPECT_TRUE(m.contains(2, 9));
  EXPECT_FALSE(m.contains(2, 10));
  EXPECT_FALSE(m.contains(2, 19));
  EXPECT_TRUE(m.contains(2, 20));
  EXPECT_TRUE(m.contains(2, 29));
  EXPECT_FALSE(m.contains(2, 30));
  EXPECT_TRUE(m.contains(2, 40));
  EXPECT_TRUE(m.contains(2, kInf - 1));
  EXPECT_FALSE(m.contains(0, 20));  // never set: no member
  EXPECT_FALSE(m.contains(7, 20));
  std::vector<int64_t> bounds;
  m.boundaries(2, bounds);
  EXPECT_EQ(bounds, (std::vector<int64_t>{10, 20, 30, 40}));
}

// Random segment definitions over a few event types, with history functions, time arithmetic,
// calendar boundaries, customer fields and in_segment() of earlier segments (so no cycles).
class RandomSegments {
 public:
  explicit RandomSegments(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::string type() { return kTypes[pick(3)]; }
  std::string quoted_type() { return "'" + type() + "'"; }
  std::string duration() {
    static const char* const kDurations[] = {"'2 days'", "'1 day 12 hours'", "'90 minutes'",
                                             "'1 week'", "'30 seconds'",     "'3 hours'"};
    return kDurations[pick(6)];
  }
  std::string time() {
    switch (pick(7)) {
      case 0:
        return "now()";
      case 1:
        return "start_of_day()";
      case 2:
        return "start_of_week()";
      case 3:
        return "start_of_month()";
      case 4:
        return "now() - " + duration();
      case 5:
        return "last(" + quoted_type() + ")";
      default:
        return "last(" + quoted_type() + ") + " + duration();
    }
  }
  std::string comparison() {
    static const char* const kOps[] = {">", ">=", "<", "<=", "=", "<>"};
    return kOps[pick(6)];
  }

  std::string atom(int index) {
    switch (pick(index > 0 ? 9 : 8)) {
      case 0:
        return "count(" + quoted_type() + ") >= " + std::to_string(1 + pick(3));
      case 1:
        return "count(" + quoted_type() + ", since => " + time() +
               ") >= " + std::to_string(1 + pick(2));
      case 2:
        return "count(" + quoted_type() + ", within => " + duration() + ") " + comparison() + " " +
               std::to_string(pick(3));
      case 3:
        return "last(" + quoted_type() + ") " + comparison() + " last(" + quoted_type() + ")";
      case 4:
        return "last(" + quoted_type() + ") " + comparison() + " " + time();
      case 5:
        return "signed_up_at " + comparison() + " " + time();
      case 6:
        return "customer.tier = 'gold'";
      case 7:
        return "count(" + quoted_type() + ") < count(" + quoted_type() + ")";
      default:
        return "in_segment('s" + std::to_string(pick(index)) + "')";
    }
  }

  std::string rule(int index, int depth = 0) {
    const int shape = depth >= 2 ? 0 : pick(5);
    switch (shape) {
      case 1:
        return "(" + rule(index, depth + 1) + " and " + rule(index, depth + 1) + ")";
      case 2:
        return "(" + rule(index, depth + 1) + " or " + rule(index, depth + 1) + ")";
      case 3:
        return "not (" + rule(index, depth + 1) + ")";
      default:
        return atom(index);
    }
  }

  std::vector<SegmentDefinition> definitions(int count) {
    std::vector<SegmentDefinition> out;
    for (int i = 0; i < count; ++i) out.push_back({"s" + std::to_string(i), rule(i)});
    return out;
  }

  // A history inside a few weeks of November 2026, on a coarse grid so instants often tie.
  int64_t instant() {
    return kBase + pick(24 * 40) * kHour + (pick(4) == 0 ? pick(60) * kMinute : 0);
  }

  CustomerFacts history() {
    std::map<std::string, std::vector<int64_t>> events;
    for (const char* type : kTypes) {
      const int n = pick(5);
      for (int i = 0; i < n; ++i) events[type].push_back(instant());
    }
    CustomerFacts facts = customer(pick(3) == 0 ? std::nullopt : std::optional(instant()), events);
    if (pick(2) == 0) {
      AttributeValue value;
      value.kind = AttributeValue::Kind::kString;
      value.text = pick(2) == 0 ? "gold" : "silver";
      facts.attributes.emplace_back("tier", value);
    }
    return facts;
  }

  static constexpr const char* kTypes[] = {"order_placed", "cart_abandoned", "coupon_redeemed"};
  static inline const int64_t kBase = utc(2026, 10, 20);

 private:
  std::mt19937 rng_;
};

// Membership by evaluating the segments' own rules at the instant asked: the oracle.
class EvaluatedMembership final : public SegmentMembership {
 public:
  EvaluatedMembership(const std::vector<std::shared_ptr<const rule::Program>>& programs,
                      const CustomerFacts& customer, const Calendar& calendar)
      : programs_(programs), customer_(customer), calendar_(calendar) {}

  bool contains(uint32_t segment_id, int64_t t) const override {
    rule::Facts facts;
    facts.customer = &customer_;
    facts.segments = this;
    facts.calendar = &calendar_;
    facts.now = t;
    return programs_[segment_id]->eval_condition(facts);
  }
  void boundaries(uint32_t, std::vector<int64_t>&) const override {}

 private:
  const std::vector<std::shared_ptr<const rule::Program>>& programs_;
  const CustomerFacts& customer_;
  const Calendar& calendar_;
};

// Lists compute() returns are sorted, disjoint, non-adjacent and non-empty.
void expect_well_formed(const std::vector<Interval>& list) {
  for (size_t i = 0; i < list.size(); ++i) {
    EXPECT_LT(list[i].from, list[i].until);
    if (i > 0) {
      EXPECT_LT(list[i - 1].until, list[i].from);
    }
  }
}

TEST(SegmentProperty, IntervalsMatchEvaluatingTheRuleAtEveryInstant) {
  int members = 0;
  int samples = 0;
  for (uint32_t world = 0; world < 60; ++world) {
    RandomSegments random(world * 104729 + 3);
    const std::vector<SegmentDefinition> definitions = random.definitions(1 + random.pick(6));
    SegmentSet set(definitions);
    // The oracle's own programs, compiled by id against the same catalogue.
    std::vector<std::shared_ptr<const rule::Program>> programs(set.size());
    rule::Environment environment;
    environment.resolve_segment = [&set](std::string_view name) { return set.find(name); };
    for (const SegmentDefinition& d : definitions) {
      programs[*set.find(d.name)] =
          rule::compile(d.definition, rule::Context::kSegment, environment);
    }
    const Calendar calendar = world % 2 == 0 ? Calendar() : warsaw_2026();
    std::vector<uint32_t> all(set.size());
    for (uint32_t id = 0; id < all.size(); ++id) all[id] = id;
    for (int c = 0; c < 12; ++c) {
      const CustomerFacts facts = random.history();
      const auto computed = set.compute(facts, all, calendar);
      IntervalMembership stored;
      for (uint32_t id = 0; id < all.size(); ++id) stored.set(id, computed[id]);
      const EvaluatedMembership oracle(programs, facts, calendar);
      for (uint32_t id = 0; id < all.size(); ++id) {
        SCOPED_TRACE("world " + std::to_string(world) + " customer " + std::to_string(c) + " " +
                     set.name(id) + " = " + programs[id]->print());
        expect_well_formed(computed[id]);
        // Sample every critical instant and its neighbours, every bound, and random instants.
        std::vector<int64_t> instants;
        rule::Facts facts_now;
        facts_now.customer = &facts;
        facts_now.segments = &stored;
        facts_now.calendar = &calendar;
        programs[id]->critical_times(facts_now, instants);
        stored.boundaries(id, instants);
        for (int r = 0; r < 40; ++r)
          instants.push_back(random.instant() + random.pick(3600) * kMicrosPerSecond);
        instants.push_back(utc(1990, 1, 1));
        instants.push_back(utc(2100, 1, 1));
        for (int64_t t : instants) {
          if (t == kMinusInfinity || t == kPlusInfinity) continue;
          for (int64_t probe : {t - 1, t, t + 1}) {
            ASSERT_EQ(stored.contains(id, probe), oracle.contains(id, probe)) << "at " << probe;
            ++samples;
          }
        }
        members += computed[id].empty() ? 0 : 1;
      }
    }
  }
  EXPECT_GT(members, 300);  // the rules really produce members, not just empty lists
  EXPECT_GT(samples, 100000);
}

}  // namespace
}  // namespace promo
