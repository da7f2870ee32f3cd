// Shared by the engine tests (engine_test.cpp, engine_segments_test.cpp,
// engine_property_test.cpp): carts built by hand, promotions, the invariants every result keeps,
// and shoppers whose membership is computed from scratch.
#pragma once

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

namespace promo::engine_test {

struct Line {
  std::string sku;
  int64_t quantity;
  int64_t unit_price;
  std::string category = "";
};

// Builds a cart by hand, so these tests do not depend on the cart decoder.
inline Cart make_cart(const std::vector<Line>& lines, const char* currency = "USD") {
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
inline PromotionDefinition promotion(std::string name, std::vector<TierDefinition> tiers,
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

inline std::vector<PromotionDefinition> spend_more() {
  return {
      promotion("spend-more", {{"5% from $50", "subtotal >= 50.00", R"({"percent_off": 5})"},
                               {"10% from $100", "subtotal >= 100.00", R"({"percent_off": 10})"}})};
}

inline Result evaluate(const RuleSet& rules, const Cart& cart, bool explain = true,
                       int64_t at = 0) {
  EvalOptions options;
  options.at = at;
  options.explain = explain;
  return rules.evaluate(cart, options);
}

// The invariants every result keeps, whatever the promotions.
inline void expect_invariants(const Cart& cart, const Result& r) {
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
inline Result evaluate_for(const RuleSet& rules, const Cart& cart, const Shopper* shopper,
                           int64_t at) {
  EvalOptions options;
  options.at = at;
  if (shopper != nullptr) {
    options.customer = &shopper->facts;
    options.segments = &shopper->membership;
  }
  return rules.evaluate(cart, options);
}

inline std::shared_ptr<const SegmentSet> contract_set() {
  return std::make_shared<const SegmentSet>(contract_segments());
}

}  // namespace promo::engine_test
