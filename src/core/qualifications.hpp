// What a customer can get now, with or without a cart (promo.qualifications): every active
// promotion whose customer-side conditions hold, its reachable tiers and what the cart still
// needs for each, sorted by the best discount the customer could reach.
#pragma once
#include "core/cpp_only.hpp"
#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/customer.hpp"
#include "core/engine.hpp"
#include "core/redemption.hpp"
#include "core/segments.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace promo {

struct QualifyOptions {
  int64_t at = 0;              // µs since the Unix epoch: now() in rules, the time window
  const Cart* cart = nullptr;  // null: no cart (every cart part is a need, all currencies)
  const CustomerFacts* customer = nullptr;  // null: a guest
  const SegmentMembership* segments = nullptr;
  const Calendar* calendar = nullptr;
  const RedemptionGates* gates = nullptr;  // limits and budgets (null: none read)
  // promotion -> a usable code assigned to this customer (first in code order).
  const std::map<std::string, std::string, std::less<>>* codes = nullptr;
  InterruptPoll poll = nullptr;
};

struct QualifiedTier {
  std::string tier;
  std::string discount_json;
  std::vector<std::string> needs;  // cart-side parts still unmet, conjunctive
  int64_t estimate = 0;            // with a cart: the discount on the original cart (minor units)
};

struct Qualification {
  std::string promotion;
  const Currency* currency = nullptr;
  std::vector<QualifiedTier> tiers;  // reachable tiers, in insertion order
  size_t best = 0;                   // index into tiers of the best reachable one
  std::string code;                  // a code assigned to the customer, "" when none
};

// The qualifications of one customer. Decided:
//  - active = inside [starts_at, ends_at) at `at`; with a cart only promotions in its currency.
//  - left out: no tier whose Program::customer_holds; blocked by a limit or an exhausted budget
//    (gates); requires_code without a code assigned to this customer.
//  - best tier and order: with a cart, the larger discount estimated on the original cart
//    (apply_discount on the full line amounts); without one, percent_off before amount_off
//    before fixed_price, then the larger percent / amount, the lower fixed price. Ties keep
//    insertion order (tiers) and evaluation order (promotions).
std::vector<Qualification> qualifications(const RuleSet& rules, const QualifyOptions& options);

}  // namespace promo
