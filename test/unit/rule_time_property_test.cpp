// The property behind segment membership: for any customer (history, sign-up, attributes,
// memberships of other segments, calendar with DST) and any segment rule, the value of the rule
// is constant between consecutive critical instants. Rules come from a seeded generator that
// covers every customer-side construct; the value at many instants (random ones, every
// critical instant and its neighbours, the int64 extremes) must equal the value at the greatest
// critical instant at or before it (or, before the first one, the value at -infinity).
#include "rule_test_carts.hpp"
#include "rule_time_support.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace promo::rule {
namespace {

using namespace testing;

class RandomMembership final : public SegmentMembership {
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

class RuleGenerator {
 public:
  explicit RuleGenerator(std::mt19937_64& random) : random_(random) {}

  std::string boolean(int depth) {
    if (depth <= 0) return atom();
    switch (pick(6)) {
      case 0:
        return "not (" + boolean(depth - 1) + ")";
      case 1:
        return "(" + boolean(depth - 1) + " and " + boolean(depth - 1) + ")";
      case 2:
        return "(" + boolean(depth - 1) + " or " + boolean(depth - 1) + ")";
      default:
        return atom();
    }
  }

 private:
  size_t pick(size_t n) { return static_cast<size_t>(random_() % n); }
  template <size_t N>
  std::string one_of(const char* const (&options)[N]) {
    return options[pick(N)];
  }

  std::string interval() {
    static const char* const kIntervals[] = {"'1 hour'",   "'2 days'",         "'90 minutes'",
                                             "'1 week'",   "'1 day 12 hours'", "'30 seconds'",
                                             "'1 second'", "'31 days'"};
    return one_of(kIntervals);
  }
  std::string shifted(std::string base) {
    switch (pick(4)) {
      case 0:
        return base + " - " + interval();
      case 1:
        return base + " + " + interval();
      case 2:
        return base + " - " + interval() + " + " + interval();
      default:
        return base;
    }
  }
  std::string anchor() {
    static const char* const kAnchors[] = {"last('a')", "last('b')", "signed_up_at"};
    return shifted(one_of(kAnchors));
  }
  std::string clock() {
    static const char* const kClocks[] = {"now()", "start_of_day()", "start_of_week()",
                                          "start_of_month()"};
    return shifted(one_of(kClocks));
  }
  std::string cmp() {
    static const char* const kCmps[] = {"=", "<>", "<", "<=", ">", ">="};
    return one_of(kCmps);
  }
  std::string count() {
    std::string type = pick(2) ? "'a'" : "'b'";
    switch (pick(4)) {
      case 0:
        return "count(" + type + ", since => " + anchor() + ")";
      case 1:
        return "count(" + type + ", since => " + clock() + ")";
      case 2:
        return "count(" + type + ", within => " + interval() + ")";
      default:
        return "count(" + type + ")";
    }
  }
  std::string atom() {
    switch (pick(9)) {
      case 0:
        return anchor() + " " + cmp() + " " + clock();
      case 1:
        return clock() + " " + cmp() + " " + anchor();
      case 2:
        return anchor() + " " + cmp() + " " + anchor();
      case 3:
        return count() + " " + cmp() + " " + std::to_string(pick(3));
      case 4:
        return count() + " " + cmp() + " " + count();
      case 5:
        return count() + " + " + count() + " >= 2";
      case 6:
        return pick(2) ? "in_segment('vip')" : "in_segment('abandoned-cart')";
      case 7:
        return pick(2) ? "customer.tier = 'gold'" : "customer.tier <> 'gold'";
      default:
        return anchor() + " " + cmp() + " " + clock();
    }
  }

  std::mt19937_64& random_;
};

Environment environment() {
  Environment env;
  env.resolve_segment = [](std::string_view name) -> std::optional<uint32_t> {
    if (name == "abandoned-cart") return 0;
    if (name == "vip") return 1;
    return std::nullopt;
  };
  return env;
}

// An instant in 2026-2027, often on an hour or a local midnight so that events sit on
// calendar boundaries.
int64_t random_instant(std::mt19937_64& random) {
  int64_t base = utc(2026, 1, 1);
  int64_t span = 2 * 365 * 24 * kHour;
  int64_t t = base + static_cast<int64_t>(random() % static_cast<uint64_t>(span));
  switch (random() % 3) {
    case 0:
      return t - t % kHour;
    case 1:
      return t - t % (24 * kHour) - (random() % 4) * kHour;
    default:
      return t;
  }
}

CustomerFacts random_customer(std::mt19937_64& random) {
  CustomerFacts c;
  c.customer_id = "c";
  if (random() % 4 != 0) c.signed_up_at = random_instant(random);
  for (const char* type : {"a", "b"}) {
    size_t n = random() % 5;
    if (n == 0) continue;
    std::vector<int64_t> times;
    for (size_t i = 0; i < n; ++i) times.push_back(random_instant(random));
    if (random() % 3 == 0) times.push_back(times.front());  // two events at one instant
    std::sort(times.begin(), times.end());
    c.events.emplace_back(type, times);
  }
  if (random() % 2) c.attributes.emplace_back("tier", text_attribute("gold"));
  return c;
}

TEST(RuleTimeProperty, ValueIsConstantBetweenCriticalInstants) {
  std::mt19937_64 random(424242);
  RuleGenerator generator(random);
  Calendar repeat("Test/Repeat",
                  {{kMinusInfinity, -2 * 3600}, {utc(2027, 2, 21, 2, 30), -3 * 3600}});
  const Calendar calendars[] = {Calendar(), warsaw(), sao_paulo(), repeat};
  Environment env = environment();
  int checked = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string text = generator.boolean(static_cast<int>(random() % 3));
    std::shared_ptr<const Program> program;
    try {
      program = compile(text, Context::kSegment, env);
    } catch (const Error& e) {
      // Only clock-against-clock comparisons are refused; the generator never writes them.
      FAIL() << text << ": " << e.what();
    }
    ASSERT_EQ(compile(program->print(), Context::kSegment, env)->print(), program->print());
    CustomerFacts customer = random_customer(random);
    RandomMembership membership;
    for (uint32_t id : {0u, 1u}) {
      int64_t from = random_instant(random);
      if (random() % 2) membership.intervals[id] = {{from, from + (random() % 500) * kHour}};
    }
    Facts facts;
    bool guest = random() % 10 == 0;
    facts.customer = guest ? nullptr : &customer;
    facts.segments = &membership;
    facts.calendar = &calendars[random() % 4];
    std::vector<int64_t> critical;
    program->critical_times(facts, critical);
    std::sort(critical.begin(), critical.end());
    critical.erase(std::unique(critical.begin(), critical.end()), critical.end());
    auto value_at = [&](int64_t t) {
      Facts at = facts;
      at.now = t;
      return program->eval_condition(at);
    };
    bool before_all = value_at(kMinusInfinity);
    std::vector<int64_t> probes = {kMinusInfinity, kMinusInfinity + 1, kPlusInfinity,
                                   kPlusInfinity - 1, 0};
    for (int i = 0; i < 40; ++i) probes.push_back(random_instant(random));
    for (int64_t c : critical) {
      probes.push_back(c);
      if (c > kMinusInfinity) probes.push_back(c - 1);
      if (c < kPlusInfinity) probes.push_back(c + 1);
    }
    for (int64_t t : probes) {
      auto it = std::upper_bound(critical.begin(), critical.end(), t);
      bool expected = it == critical.begin() ? before_all : value_at(*std::prev(it));
      ASSERT_EQ(value_at(t), expected)
          << text << "\nprinted: " << program->print() << "\nat " << t << " zone "
          << facts.calendar->zone() << (guest ? " guest" : "");
      ++checked;
    }
  }
  EXPECT_GT(checked, 100000);
}

}  // namespace
}  // namespace promo::rule
