// Customer-side rule language: segment definitions, history functions, time and intervals,
// with exact values at the boundaries, exact error wording, printing, dependencies, explain.
#include "rule_test_carts.hpp"
#include "rule_time_support.hpp"

#include <gtest/gtest.h>

#include <map>

namespace promo::rule {
namespace {

using namespace testing;

// Segment ids for in_segment(): the position in this list.
const std::vector<std::string> kSegmentNames = {"abandoned-cart", "vip"};

Environment segment_environment() {
  Environment environment;
  environment.resolve_segment = [](std::string_view name) -> std::optional<uint32_t> {
    for (size_t i = 0; i < kSegmentNames.size(); ++i) {
      if (kSegmentNames[i] == name) return static_cast<uint32_t>(i);
    }
    return std::nullopt;
  };
  return environment;
}

std::shared_ptr<const Program> segment(std::string_view text) {
  return compile(text, Context::kSegment, segment_environment());
}

struct Failure {
  std::string sqlstate;
  std::string message;
};

Failure segment_failure(std::string_view text) {
  try {
    segment(text);
  } catch (const Error& e) {
    return {e.sqlstate(), e.what()};
  }
  ADD_FAILURE() << "compiled: " << text;
  return {};
}

// Membership by explicit intervals per segment id.
class FixedMembership final : public SegmentMembership {
 public:
  std::map<uint32_t, std::vector<std::pair<int64_t, int64_t>>> intervals;
  bool contains(uint32_t id, int64_t t) const override {
    auto it = intervals.find(id);
    if (it == intervals.end()) return false;
    for (auto [from, until] : it->second) {
      if (from <= t && t < until) return true;
    }
    return false;
  }
  void boundaries(uint32_t id, std::vector<int64_t>& out) const override {
    auto it = intervals.find(id);
    if (it == intervals.end()) return;
    for (auto [from, until] : it->second) {
      out.push_back(from);
      out.push_back(until);
    }
  }
};

CustomerFacts customer(std::optional<int64_t> signed_up_at,
                       std::vector<std::pair<std::string, std::vector<int64_t>>> events,
                       std::vector<std::pair<std::string, AttributeValue>> attributes = {}) {
  CustomerFacts c;
  c.customer_id = "alice";
  c.signed_up_at = signed_up_at;
  std::sort(events.begin(), events.end());
  c.events = std::move(events);
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  c.attributes = std::move(attributes);
  return c;
}

bool at_time(const Program& program, const CustomerFacts* c, int64_t now,
             const Calendar* calendar = nullptr, const SegmentMembership* segments = nullptr) {
  Facts facts;
  facts.customer = c;
  facts.now = now;
  facts.calendar = calendar;
  facts.segments = segments;
  return program.eval_condition(facts);
}

const std::string kAbandoned2Days =
    "last('cart_abandoned') > last('order_placed')\n"
    "                           and last('cart_abandoned') <= now() - '2 days'";

TEST(RuleCustomer, ContractSegmentDefinitionsCompileVerbatim) {
  EXPECT_EQ(segment("last('cart_abandoned') > last('order_placed')")->print(),
            "last('cart_abandoned') > last('order_placed')");
  EXPECT_EQ(segment(kAbandoned2Days)->print(),
            "last('cart_abandoned') > last('order_placed') and last('cart_abandoned') <= now() - "
            "'2 days'");
  EXPECT_EQ(segment("signed_up_at >= start_of_week()")->print(), "signed_up_at >= start_of_week()");
  EXPECT_EQ(segment("count('coupon_redeemed', since => start_of_month()) >= 1")->print(),
            "count('coupon_redeemed', since => start_of_month()) >= 1");
  EXPECT_EQ(segment("count('referral_completed') >= 1")->print(),
            "count('referral_completed') >= 1");
}

TEST(RuleCustomer, ErrorsHaveExactWording) {
  struct Case {
    const char* text;
    const char* sqlstate;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {"in_segment('x')", "42704", "unknown segment 'x' at 1:12"},
           {"subtotal >= 10", "42703",
            "subtotal is a cart field; it cannot be used in a segment definition at 1:1"},
           {"quantity >= 1", "42703",
            "quantity is a cart field; it cannot be used in a segment definition at 1:1"},
           {"has(sku = 'A')", "42883",
            "has is a cart function; it cannot be used in a segment definition at 1:1"},
           {"sku = 'A'", "42703",
            "sku is an item field; it cannot be used in a segment definition at 1:1"},
           {"count('a')", "42804",
            "a segment definition must be a boolean expression, got integer at 1:1"},
           {"count('a') >= 1.50", "42804", "expected an integer, got 1.50 at 1:15"},
           {"count('a', within => '2 dayz') >= 1", "22007",
            "'2 dayz' is not an interval: expected a number followed by second(s), minute(s), "
            "hour(s), day(s) or week(s) at 1:22"},
           {"last('a') <= now() - '1 month'", "22007",
            "'1 month' is not an interval: months have no fixed length; use start_of_month() at "
            "1:22"},
           {"now() >= start_of_day() + '12 hours'", "42804",
            "comparing two expressions that both depend on now() is not supported at 1:1"},
           {"last('a') - last('b') > now()", "42804",
            "operator - is not defined for time and time; shift a time by an interval such as "
            "now() - '2 days' at 1:11"},
           {"count(x) >= 1", "42804",
            "count() takes an event type as a string literal, as in count('order_placed') at 1:7"},
           {"in_segment(name) ", "42804",
            "in_segment() takes a segment name as a string literal, as in "
            "in_segment('abandoned-cart') at 1:12"},
           {"count('a', after => now()) >= 1", "42883",
            "unknown argument 'after' for count() at 1:12"},
           {"count('a', since => 5) >= 1", "42804", "since => needs a time, got number at 1:21"},
           {"count('a', within => 5) >= 1", "42804",
            "within => needs an interval such as '2 days', got number at 1:22"},
           {"now(1) > last('a')", "42883", "now() takes no arguments, got 1 at 1:1"},
           {"last('a', since => now()) > now()", "42883",
            "unknown argument 'since' for last() at 1:11"},
           {"signed_up_at = 1", "42804", "cannot compare time with number at 1:14"},
           {"customer", "42703",
            "customer must be followed by a key, as in customer.country, at 1:1"},
           {"customer.tier = now()", "42804", "cannot compare attribute with time at 1:15"},
       }) {
    Failure e = segment_failure(c.text);
    EXPECT_EQ(e.sqlstate, c.sqlstate) << c.text;
    EXPECT_EQ(e.message, c.message) << c.text;
  }
  // Item conditions and max_units cannot read customer data.
  try {
    compile("signed_up_at > now()", Context::kItemCondition, kUsd);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "signed_up_at reads customer data; it cannot be used in an item condition at 1:1");
  }
  try {
    compile("count('a')", Context::kCount, kUsd);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "count reads customer data; it cannot be used in max_units at 1:1");
  }
}

TEST(RuleCustomer, IntervalsPrintCanonically) {
  EXPECT_EQ(segment("last('a') <= now() - '1 day 12 hours'")->print(),
            "last('a') <= now() - '1 day 12 hours'");
  EXPECT_EQ(segment("last('a') <= now() - '36 HOURS'")->print(),
            "last('a') <= now() - '1 day 12 hours'");
  EXPECT_EQ(segment("last('a') <= now() - '90 minutes'")->print(),
            "last('a') <= now() - '1 hour 30 minutes'");
  EXPECT_EQ(segment("last('a') <= now() - '1 week' + '30 seconds'")->print(),
            "last('a') <= now() - '6 days 23 hours 59 minutes 30 seconds'");
  EXPECT_EQ(segment("last('a') <= now() + '1 day' - '1 day'")->print(), "last('a') <= now()");
  EXPECT_EQ(segment("count('a', within => '1 week') >= 2")->print(),
            "count('a', within => '7 days') >= 2");
  EXPECT_EQ(segment("count('a', SINCE => last('b') + '1 second') = 0")->print(),
            "count('a', since => last('b') + '1 second') = 0");
}

TEST(RuleCustomer, Abandoned2DaysBoundaries) {
  auto p = segment(kAbandoned2Days);
  int64_t t0 = utc(2026, 11, 20, 10);
  CustomerFacts c = customer(std::nullopt, {{"cart_abandoned", {t0}}});
  EXPECT_FALSE(at_time(*p, &c, t0));
  EXPECT_FALSE(at_time(*p, &c, t0 + 2 * 24 * kHour - 1));
  EXPECT_TRUE(at_time(*p, &c, t0 + 2 * 24 * kHour));  // exactly 2 days later: <= holds
  EXPECT_TRUE(at_time(*p, &c, utc(2030, 1, 1)));
  CustomerFacts ordered =
      customer(std::nullopt, {{"cart_abandoned", {t0}}, {"order_placed", {t0 + 5 * 24 * kHour}}});
  EXPECT_TRUE(at_time(*p, &ordered, t0 + 5 * 24 * kHour - 1));
  EXPECT_FALSE(at_time(*p, &ordered, t0 + 5 * 24 * kHour));
  std::vector<int64_t> critical;
  p->critical_times(Facts{nullptr, &c, nullptr, nullptr, 0}, critical);
  EXPECT_NE(std::find(critical.begin(), critical.end(), t0 + 2 * 24 * kHour), critical.end());
}

TEST(RuleCustomer, LastOfNoEventsIsMinusInfinity) {
  CustomerFacts none = customer(std::nullopt, {});
  EXPECT_FALSE(at_time(*segment("last('a') > last('b')"), &none, 0));
  EXPECT_TRUE(at_time(*segment("last('a') = last('b')"), &none, 0));
  EXPECT_TRUE(at_time(*segment("last('a') < now() - '100000 days'"), &none, utc(2026, 1, 1)));
  EXPECT_TRUE(at_time(*segment("last('a') + '1 day' < now()"), nullptr, 0));  // -inf stays -inf
  // Events after now are not history yet.
  CustomerFacts later = customer(std::nullopt, {{"a", {utc(2026, 5, 1)}}});
  EXPECT_FALSE(at_time(*segment("last('a') > last('b')"), &later, utc(2026, 5, 1) - 1));
  EXPECT_TRUE(at_time(*segment("last('a') > last('b')"), &later, utc(2026, 5, 1)));
}

TEST(RuleCustomer, WithinIsInclusive) {
  auto p = segment("count('a', within => '2 days') >= 1");
  int64_t e = utc(2026, 6, 10, 8);
  CustomerFacts c = customer(std::nullopt, {{"a", {e}}});
  EXPECT_FALSE(at_time(*p, &c, e - 1));
  EXPECT_TRUE(at_time(*p, &c, e));
  EXPECT_TRUE(at_time(*p, &c, e + 48 * kHour));  // occurred_at >= now - 2 days: inclusive
  EXPECT_FALSE(at_time(*p, &c, e + 48 * kHour + 1));
  auto twice = segment("count('a', within => '1 hour') = 2");
  CustomerFacts two = customer(std::nullopt, {{"a", {e, e}}});  // same instant counts twice
  EXPECT_TRUE(at_time(*twice, &two, e));
}

TEST(RuleCustomer, RedeemedThisMonthAcrossLeapDay) {
  auto p = segment("count('coupon_redeemed', since => start_of_month()) >= 1");
  int64_t redeemed = utc(2028, 2, 29, 18);
  CustomerFacts c = customer(std::nullopt, {{"coupon_redeemed", {redeemed}}});
  EXPECT_FALSE(at_time(*p, &c, redeemed - 1));
  EXPECT_TRUE(at_time(*p, &c, redeemed));
  EXPECT_TRUE(at_time(*p, &c, utc(2028, 3, 1) - 1));
  EXPECT_FALSE(at_time(*p, &c, utc(2028, 3, 1)));
  // In Warsaw (+1h), March starts at 2028-02-29 23:00 UTC.
  Calendar w = warsaw();
  EXPECT_TRUE(at_time(*p, &c, utc(2028, 2, 29, 23) - 1, &w));
  EXPECT_FALSE(at_time(*p, &c, utc(2028, 2, 29, 23), &w));
  std::vector<int64_t> critical;
  p->critical_times(Facts{nullptr, &c, nullptr, &w, 0}, critical);
  EXPECT_NE(std::find(critical.begin(), critical.end(), utc(2028, 2, 29, 23)), critical.end());
}

TEST(RuleCustomer, NewThisWeekStartsAtSignUpAndEndsMonday) {
  auto p = segment("signed_up_at >= start_of_week()");
  int64_t signed_up = utc(2026, 11, 25, 10);  // a Wednesday
  CustomerFacts c = customer(signed_up, {});
  EXPECT_FALSE(at_time(*p, &c, signed_up - 1));  // null before the sign-up
  EXPECT_TRUE(at_time(*p, &c, signed_up));
  EXPECT_TRUE(at_time(*p, &c, utc(2026, 11, 30) - 1));
  EXPECT_FALSE(at_time(*p, &c, utc(2026, 11, 30)));  // Monday 00:00 UTC
  // Warsaw (+1h in November): the week ends at Sunday 23:00 UTC.
  Calendar w = warsaw();
  EXPECT_TRUE(at_time(*p, &c, utc(2026, 11, 29, 23) - 1, &w));
  EXPECT_FALSE(at_time(*p, &c, utc(2026, 11, 29, 23), &w));
  // Unknown sign-up, guest: null, comparisons false, <> true.
  CustomerFacts unknown = customer(std::nullopt, {});
  EXPECT_FALSE(at_time(*p, &unknown, signed_up));
  EXPECT_FALSE(at_time(*p, nullptr, signed_up));
  EXPECT_TRUE(at_time(*segment("signed_up_at <> now()"), nullptr, signed_up));
  EXPECT_FALSE(at_time(*segment("signed_up_at = signed_up_at"), &unknown, signed_up));
  EXPECT_TRUE(at_time(*segment("signed_up_at = signed_up_at"), &c, signed_up));
}

TEST(RuleCustomer, CountsSinceAnAnchorAndDayStarts) {
  int64_t d = utc(2026, 4, 1);
  CustomerFacts c = customer(
      std::nullopt, {{"a", {d + kHour, d + 3 * kHour, d + 30 * kHour}}, {"b", {d + 2 * kHour}}});
  auto since_b = segment("count('a', since => last('b')) = 1");
  EXPECT_FALSE(at_time(*since_b, &c, d + 2 * kHour));  // since -inf before b... b at 2h: 0 after
  EXPECT_TRUE(at_time(*since_b, &c, d + 3 * kHour));
  EXPECT_FALSE(at_time(*since_b, &c, d + 30 * kHour));
  auto today = segment("count('a', since => start_of_day()) >= 2");
  EXPECT_TRUE(at_time(*today, &c, d + 23 * kHour));
  EXPECT_FALSE(at_time(*today, &c, d + 24 * kHour));
}

TEST(RuleCustomer, CustomerAttributesAndSegments) {
  CustomerFacts c = customer(std::nullopt, {}, {{"country", text_attribute("PL")}});
  EXPECT_TRUE(at_time(*segment("customer.country = 'PL'"), &c, 0));
  EXPECT_FALSE(at_time(*segment("customer.country in ('DE', 'FR')"), &c, 0));
  EXPECT_TRUE(at_time(*segment("customer.tier <> 'gold'"), &c, 0));
  FixedMembership m;
  m.intervals[1] = {{100, 200}};
  auto vip = segment("in_segment('vip')");
  EXPECT_FALSE(at_time(*vip, &c, 99, nullptr, &m));
  EXPECT_TRUE(at_time(*vip, &c, 100, nullptr, &m));
  EXPECT_FALSE(at_time(*vip, &c, 200, nullptr, &m));
  EXPECT_FALSE(at_time(*vip, &c, 150));  // no membership: in no segment
}

TEST(RuleCustomer, Dependencies) {
  const Dependencies d =
      segment(
          "in_segment('vip') and count('b', within => '1 day') >= 1 and last('a') > "
          "last('b') or customer.x = 1")
          ->dependencies();
  EXPECT_EQ(d.event_types, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.segments, (std::vector<uint32_t>{1}));
  EXPECT_TRUE(d.customer_fields);
  EXPECT_TRUE(d.time);
  EXPECT_FALSE(d.cart);
  const Dependencies plain = segment("last('a') > last('b')")->dependencies();
  EXPECT_FALSE(plain.time);
  EXPECT_FALSE(plain.customer_fields);
  Environment env = segment_environment();
  env.currency = &kUsd;
  const Dependencies cond =
      compile("subtotal >= 10 and signed_up_at < now()", Context::kCondition, env)->dependencies();
  EXPECT_TRUE(cond.cart);
  EXPECT_TRUE(cond.customer_fields);
  EXPECT_TRUE(cond.time);
  EXPECT_TRUE(cond.event_types.empty());
}

TEST(RuleCustomer, ExplainAndMissingInConditions) {
  Environment env = segment_environment();
  env.currency = &kUsd;
  Cart shop = cart({item("SOCKS", 2, 500)});
  CustomerFacts c = customer(utc(2026, 11, 20, 10), {});
  Facts facts{&shop, &c, nullptr, nullptr, utc(2026, 12, 2)};
  auto seg = compile("subtotal >= 5 and in_segment('abandoned-cart')", Context::kCondition, env);
  Explanation e = seg->explain(facts);
  EXPECT_EQ(e.reason_code, "not_in_segment");
  EXPECT_EQ(e.text, "not in segment abandoned-cart");
  EXPECT_EQ(seg->missing(facts), std::nullopt);
  auto redeemed =
      compile("count('coupon_redeemed', since => start_of_month()) >= 1", Context::kCondition, env);
  e = redeemed->explain(facts);
  EXPECT_EQ(e.reason_code, "condition_failed");
  EXPECT_EQ(e.text,
            "count('coupon_redeemed', since => start_of_month()) >= 1 is false (count is 0)");
  EXPECT_EQ(redeemed->missing(facts), std::nullopt);
  auto week = compile("signed_up_at >= start_of_week()", Context::kCondition, env);
  EXPECT_EQ(week->explain_failure(facts),
            "signed_up_at >= start_of_week() is false (signed_up_at is 2026-11-20 10:00:00 UTC)");
  auto last = compile("last('a') > last('b') and subtotal >= 100", Context::kCondition, env);
  EXPECT_EQ(last->explain_failure(facts),
            "last('a') > last('b') is false (last('a') is -infinity, last('b') is -infinity)");
  auto guest = compile("signed_up_at < now() or customer.tier = 'gold'", Context::kCondition, env);
  Facts guest_facts{&shop, nullptr, nullptr, nullptr, 0};
  EXPECT_EQ(guest->explain_failure(guest_facts),
            "signed_up_at < now() or customer.tier = 'gold' is false (signed_up_at is null; "
            "customer.tier is missing)");
  // A cart part stays reachable next to a customer part that holds.
  auto both = compile("subtotal >= 20 and signed_up_at < now()", Context::kCondition, env);
  auto needs = both->missing(facts);
  ASSERT_TRUE(needs);
  ASSERT_EQ(needs->size(), 1u);
  EXPECT_EQ((*needs)[0].text, "subtotal 1000 short");
}

}  // namespace
}  // namespace promo::rule
