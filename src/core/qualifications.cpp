// promo.qualifications in plain C++; see qualifications.hpp.
#include "core/qualifications.hpp"

#include "core/discount.hpp"
#include "core/work_meter.hpp"

#include <algorithm>
#include <tuple>

namespace promo {
namespace {

// A sort key, larger is better: (kind rank, value) without a cart, (estimate) with one.
using Rank = std::tuple<int64_t, int64_t>;

Rank rank_of(const Discount& discount, const QualifiedTier& tier, bool with_cart) {
  if (with_cart) return {tier.estimate, 0};
  switch (discount.kind) {
    case Discount::Kind::kPercentOff:
      return {2, discount.percent.units};
    case Discount::Kind::kAmountOff:
      return {1, discount.amount};
    case Discount::Kind::kFixedPrice:
      return {0, -discount.amount};
  }
  return {0, 0};
}

bool active_at(const CataloguePromotion& promotion, int64_t at) {
  if (promotion.starts_at && at < *promotion.starts_at) return false;
  if (promotion.ends_at && at >= *promotion.ends_at) return false;
  return true;
}

}  // namespace

std::vector<Qualification> qualifications(const RuleSet& rules, const QualifyOptions& options) {
  WorkMeter meter(options.poll);
  rule::Facts facts;
  facts.cart = options.cart;
  facts.customer = options.customer;
  facts.segments = options.segments;
  facts.calendar = options.calendar;
  facts.now = options.at;
  std::vector<int64_t> full;
  if (options.cart) {
    for (const CartItem& item : options.cart->items) full.push_back(item.line_total);
  }
  std::vector<std::pair<Rank, Qualification>> found;
  for (const CataloguePromotion& promotion : rules.catalogue()) {
    meter.tick();
    if (!active_at(promotion, options.at)) continue;
    if (options.cart && promotion.currency->code != options.cart->currency->code) continue;
    if (options.gates) {
      const PromotionGate* gate = options.gates->gate(promotion.name);
      if (gate && !gate->blocked_code.empty()) continue;
    }
    Qualification q{promotion.name, promotion.currency, {}, 0, ""};
    if (options.codes) {
      auto code = options.codes->find(promotion.name);
      if (code != options.codes->end()) q.code = code->second;
    }
    if (promotion.requires_code && q.code.empty()) continue;
    std::vector<Rank> ranks;
    for (const CatalogueTier& tier : promotion.tiers) {
      meter.tick();
      if (!tier.condition->customer_holds(facts)) continue;
      QualifiedTier reached{tier.name, tier.discount_json, {}, 0};
      for (rule::Need& need : tier.condition->cart_needs(facts)) {
        reached.needs.push_back(std::move(need.text));
      }
      if (options.cart) {
        reached.estimate = apply_discount(*tier.discount, *options.cart, full, facts).total;
      }
      ranks.push_back(rank_of(*tier.discount, reached, options.cart != nullptr));
      q.tiers.push_back(std::move(reached));
    }
    if (q.tiers.empty()) continue;
    for (size_t i = 1; i < ranks.size(); ++i) {
      if (ranks[i] > ranks[q.best]) q.best = i;
    }
    found.emplace_back(ranks[q.best], std::move(q));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Qualification> out;
  out.reserve(found.size());
  for (auto& entry : found) out.push_back(std::move(entry.second));
  return out;
}

}  // namespace promo
