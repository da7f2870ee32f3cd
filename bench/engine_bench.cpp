// Google Benchmark of RuleSet::evaluate: one 20-line cart against 10 / 100 / 1,000 / 10,000
// active promotions of a realistic mix, with explanations on and off; and of
// SegmentSet::compute: every membership interval of 20 segments for one customer with a history
// of 10 / 100 / 1,000 events (what the event triggers do per touched customer).
//
// The mix (fixed seed, so runs are comparable):
//   70% SKU-gated        has(sku = 'SKU-01234'), 5-30% off that SKU, over a 10,000-SKU catalogue
//   20% category-gated   quantity(category = 'cat-07') >= 3, 10% off that category (50 categories)
//    9% buy-X-get-Y      has(sku = X) and has(sku = Y), Y free, max_units quantity(sku = X)
//    1% spend tiers      subtotal >= T1 / T2 / T3 with 5 / 10 / 15% (T between $50 and $2,000)
// The cart: 20 lines drawn from 5 of the 50 categories (a shopper in a few departments), 1-2
// units each at $5-$80, about $900 in all.
#include "core/engine.hpp"
#include "core/segments.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using promo::Cart;
using promo::PromotionDefinition;
using promo::RuleSet;

constexpr int kCatalogue = 10000;
constexpr int kCategories = 50;

// "SKU-01234": the catalogue's SKU names.
std::string sku_name(int index) {
  char text[16];
  std::snprintf(text, sizeof text, "SKU-%05d", index);
  return text;
}

// Each SKU belongs to category index % 50.
std::string category_name(int index) {
  return "cat-" + std::to_string(index % kCategories);
}

// One promotion of the mix, chosen by `kind` in [0, 100).
PromotionDefinition make_promotion(int id, int kind, std::mt19937& rng) {
  auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  PromotionDefinition p;
  p.name = "promo-" + std::to_string(id);
  p.currency = "USD";
  p.priority = pick(3);
  p.sequence = id;
  if (kind < 70) {
    const std::string sku = sku_name(pick(kCatalogue));
    p.tiers.push_back({"sku", "has(sku = '" + sku + "')",
                       R"({"percent_off": )" + std::to_string(5 + pick(26)) +
                           R"(, "target": "sku = ')" + sku + R"('"})"});
  } else if (kind < 90) {
    const std::string category = category_name(pick(kCategories));
    p.tiers.push_back({"category", "quantity(category = '" + category + "') >= 3",
                       R"({"percent_off": 10, "target": "category = ')" + category + R"('"})"});
  } else if (kind < 99) {
    const std::string x = sku_name(pick(kCatalogue));
    const std::string y = sku_name(pick(kCatalogue));
    p.tiers.push_back({"pair", "has(sku = '" + x + "') and has(sku = '" + y + "')",
                       "{\"percent_off\": 100, \"target\": \"sku = '" + y +
                           "'\", \"max_units\": \"quantity(sku = '" + x + "')\"}"});
  } else {
    const int base = 50 + pick(1950);
    for (int t = 1; t <= 3; ++t) {
      p.tiers.push_back({std::to_string(5 * t) + "%",
                         "subtotal >= " + std::to_string(base * t / 2 + base) + ".00",
                         R"({"percent_off": )" + std::to_string(5 * t) + "}"});
    }
  }
  return p;
}

// The mix for `count` promotions, built once per count and shared by the benchmarks.
const RuleSet& rule_set(int count) {
  static std::map<int, std::unique_ptr<RuleSet>> cache;
  auto& slot = cache[count];
  if (!slot) {
    std::mt19937 rng(20261201u + static_cast<unsigned>(count));
    std::vector<PromotionDefinition> definitions;
    definitions.reserve(count);
    for (int id = 0; id < count; ++id) {
      definitions.push_back(make_promotion(id, static_cast<int>(rng() % 100), rng));
    }
    slot = std::make_unique<RuleSet>(std::move(definitions));
  }
  return *slot;
}

// The benchmark cart: 20 lines from categories 3, 11, 17, 28 and 42.
Cart make_cart() {
  std::mt19937 rng(42);
  const int categories[] = {3, 11, 17, 28, 42};
  Cart cart;
  cart.currency = promo::find_currency("USD");
  for (int line = 0; line < 20; ++line) {
    const int category = categories[line % 5];
    const int sku = category + kCategories * static_cast<int>(rng() % (kCatalogue / kCategories));
    promo::CartItem item;
    item.sku = sku_name(sku);
    item.category = category_name(sku);
    item.quantity = 1 + static_cast<int64_t>(rng() % 2);
    item.unit_price = 500 + static_cast<int64_t>(rng() % 7500);
    item.line_total = item.quantity * item.unit_price;
    cart.subtotal += item.line_total;
    cart.total_quantity += item.quantity;
    cart.items.push_back(std::move(item));
  }
  return cart;
}

// Evaluates the cart against state.range(0) promotions, explain = state.range(1).
void BM_Evaluate(benchmark::State& state) {
  const RuleSet& rules = rule_set(static_cast<int>(state.range(0)));
  const Cart cart = make_cart();
  promo::EvalOptions options;
  options.at = 1796083200LL * 1000000;
  options.explain = state.range(1) != 0;
  size_t applied = 0;
  for (auto _ : state) {
    promo::Result result = rules.evaluate(cart, options);
    applied = result.applied.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["applied"] = static_cast<double>(applied);
}

BENCHMARK(BM_Evaluate)
    ->ArgNames({"promotions", "explain"})
    ->ArgsProduct({{10, 100, 1000, 10000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

// 20 segments in the style of the product's examples: recency, frequency, calendar windows,
// customer fields, and a few reading others through in_segment().
std::vector<promo::SegmentDefinition> twenty_segments() {
  return {
      {"abandoned-cart", "last('cart_abandoned') > last('order_placed')"},
      {"abandoned-2-days",
       "last('cart_abandoned') > last('order_placed') and last('cart_abandoned') <= now() - "
       "'2 days'"},
      {"new-this-week", "signed_up_at >= start_of_week()"},
      {"redeemed-this-month", "count('coupon_redeemed', since => start_of_month()) >= 1"},
      {"referrers", "count('referral_completed') >= 1"},
      {"ordered-today", "count('order_placed', since => start_of_day()) >= 1"},
      {"frequent", "count('order_placed', within => '30 days') >= 3"},
      {"lapsed", "last('order_placed') < now() - '60 days' and count('order_placed') >= 1"},
      {"one-timer", "count('order_placed') = 1"},
      {"loyal", "count('order_placed') >= 10"},
      {"browsing", "count('product_viewed', within => '1 day') >= 5"},
      {"viewed-not-bought", "last('product_viewed') > last('order_placed')"},
      {"gold", "customer.tier = 'gold'"},
      {"gold-lapsed", "in_segment('gold') and in_segment('lapsed')"},
      {"win-back", "in_segment('lapsed') and in_segment('viewed-not-bought')"},
      {"promising", "in_segment('frequent') and not in_segment('loyal')"},
      {"new-and-browsing", "in_segment('new-this-week') and in_segment('browsing')"},
      {"coupon-fan", "count('coupon_redeemed') >= 3"},
      {"month-active", "count('order_placed', since => start_of_month()) >= 2"},
      {"recent-abandoner", "count('cart_abandoned', within => '7 days') >= 1"},
  };
}

// A customer with state.range(0) events spread over a year, of five types.
promo::CustomerFacts customer_with_history(int events) {
  std::mt19937 rng(7);
  const int64_t start = 1767225600LL * 1000000;  // 2026-01-01 00:00 UTC
  const int64_t year = 365LL * 86400 * 1000000;
  const char* types[] = {"cart_abandoned", "coupon_redeemed", "order_placed", "product_viewed",
                         "referral_completed"};
  std::map<std::string, std::vector<int64_t>> history;
  for (int i = 0; i < events; ++i) {
    history[types[rng() % 5]].push_back(start +
                                        static_cast<int64_t>(rng() % (year / 1000000)) * 1000000);
  }
  promo::CustomerFacts facts;
  facts.customer_id = "bench";
  facts.signed_up_at = start + year / 2;
  for (auto& [type, times] : history) {
    std::sort(times.begin(), times.end());
    facts.events.emplace_back(type, std::move(times));
  }
  promo::AttributeValue gold;
  gold.kind = promo::AttributeValue::Kind::kString;
  gold.text = "gold";
  facts.attributes.emplace_back("tier", gold);
  return facts;
}

// Computes the membership intervals of all 20 segments for one customer.
void BM_SegmentCompute(benchmark::State& state) {
  const promo::SegmentSet segments(twenty_segments());
  const promo::CustomerFacts facts = customer_with_history(static_cast<int>(state.range(0)));
  std::vector<uint32_t> ids(segments.size());
  for (uint32_t id = 0; id < ids.size(); ++id) ids[id] = id;
  const promo::Calendar utc;
  size_t intervals = 0;
  for (auto _ : state) {
    auto result = segments.compute(facts, ids, utc);
    intervals = 0;
    for (const auto& list : result) intervals += list.size();
    benchmark::DoNotOptimize(result);
  }
  state.counters["intervals"] = static_cast<double>(intervals);
}

BENCHMARK(BM_SegmentCompute)
    ->ArgNames({"events"})
    ->Arg(10)
    ->Arg(100)
    ->Arg(1000)
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
