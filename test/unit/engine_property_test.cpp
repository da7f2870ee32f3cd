// A randomized comparison of the indexed evaluation with brute force, with and without
// customers and segments, and the invariants every result keeps.
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
