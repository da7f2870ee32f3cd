// The cart engine: compiled promotions, their index, and evaluation of a cart against all of
// them with tiers, priority, exclusivity, stacking, allocation to lines and explanations.
#pragma once
#include "core/cpp_only.hpp"
#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/customer.hpp"
#include "core/error.hpp"
#include "core/redemption.hpp"
#include "core/rule.hpp"
#include "core/segments.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promo {

struct Discount;  // core/discount.hpp

// A tier as stored in promo.tiers.
struct TierDefinition {
  std::string name;
  std::string condition;      // rule text, Context::kCondition
  std::string discount_json;  // {"percent_off": 5, "target": "...", "max_units": ..., ...}
};

// A promotion as stored in promo.promotions, with its tiers in insertion order. Only active
// promotions are handed to the engine.
struct PromotionDefinition {
  std::string name;
  std::string currency;
  int32_t priority = 0;
  bool exclusive = false;
  int64_t sequence = 0;              // creation order, breaks priority ties
  std::optional<int64_t> starts_at;  // microseconds since the Unix epoch, inclusive
  std::optional<int64_t> ends_at;    // microseconds since the Unix epoch, exclusive
  std::vector<TierDefinition> tiers;
  // Redemption limits (promo.promotions columns; nullopt = none) and code gating. Counters live
  // outside the definition; the adapter turns them into EvalOptions::gates.
  std::optional<int64_t> per_customer_limit;
  std::optional<int64_t> total_limit;
  std::optional<int64_t> budget;  // minor units of `currency`
  bool requires_code = false;
};

// Checks one tier as the definition triggers do. Throws Error naming the field:
// "condition: unknown function 'subtotl' at 1:1",
// "discount.percent_off must be greater than 0 and at most 100, got 150".
void validate_tier(std::string_view currency, std::string_view condition,
                   std::string_view discount_json);
// The same with in_segment('name') resolved against `segments` (null: no segment is known, and
// in_segment() is "unknown segment 'x' at L:C").
void validate_tier(std::string_view currency, std::string_view condition,
                   std::string_view discount_json, const SegmentSet* segments);
// Throws Error(22023) "unknown currency 'XYZ'" for codes outside ISO 4217.
void validate_currency(std::string_view currency);

// Canonical forms, for promo.format_condition() and for storing what was understood.
std::string canonical_condition(std::string_view currency, std::string_view condition);
std::string canonical_condition(std::string_view currency, std::string_view condition,
                                const SegmentSet* segments);

struct AppliedPromotion {
  std::string promotion;
  std::string tier;
  int64_t discount = 0;
  std::string code;  // the cart code used for it (normalised), "" when none
};

struct LineDiscount {
  size_t applied_index = 0;  // index into Result::applied
  int64_t amount = 0;
};

struct ItemResult {
  size_t index = 0;
  std::string sku;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<LineDiscount> discounts;  // which applied promotion took how much from this line
};

struct NotApplied {
  std::string promotion;  // "" for a cart code that belongs to no promotion (JSON null)
  // currency_mismatch, not_started, ended, condition_failed, not_in_segment, ...
  std::string reason_code;
  std::string reason;  // words a support agent can read
  std::string code;    // the cart code concerned, "" when none
};

struct Hint {
  std::string promotion;
  std::string tier;
  std::string missing;
};

struct Result {
  const Currency* currency = nullptr;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<AppliedPromotion> applied;
  std::vector<ItemResult> items;
  std::vector<NotApplied> not_applied;
  std::vector<Hint> hints;
};

struct EvalOptions {
  int64_t at = 0;                // microseconds since the Unix epoch
  bool explain = true;           // false: skip not_applied and hints (faster for checkout)
  InterruptPoll poll = nullptr;  // cancel check, called between units of work
  // true: only promotions the index selects are evaluated. false: every promotion is evaluated
  // (brute force); the result is identical, which tests check.
  bool use_index = true;
  // Customer-side facts (see rule::Facts); null: a guest, in no segment, UTC calendar. now() in
  // rules is `at`. `segments` answers membership by the ids of the SegmentSet the RuleSet was
  // built with.
  const CustomerFacts* customer = nullptr;
  const SegmentMembership* segments = nullptr;
  const Calendar* calendar = nullptr;
  // Limits, budgets and cart codes (null: no counters read and the cart's codes unknown, so a
  // requires_code promotion is code_required). Decided order of reasons for a promotion: currency,
  // time window, no tiers, excluded, then limit_reached / budget_exhausted, then codes
  // (code_used_up, code_not_yours, code_required), then conditions. A budget cap smaller than the
  // chosen tier's discount re-allocates the cap over that promotion's line discounts by largest
  // remainder. Unknown cart codes become not_applied entries with no promotion (code_invalid),
  // codes of promotions that are not active become promotion_inactive, after the promotions.
  const RedemptionGates* gates = nullptr;
};

// One compiled tier as callers that walk the catalogue see it (promo.qualifications).
struct CatalogueTier {
  std::string name;
  std::string discount_json;  // as defined
  std::shared_ptr<const rule::Program> condition;
  const Discount* discount = nullptr;  // owned by the RuleSet
};

// One active promotion, compiled, in evaluation order.
struct CataloguePromotion {
  std::string name;
  const Currency* currency = nullptr;
  std::optional<int64_t> starts_at;
  std::optional<int64_t> ends_at;
  bool requires_code = false;
  std::vector<CatalogueTier> tiers;
};

// An immutable, compiled set of promotions with its index. Built once per definition change and
// shared (shared_ptr) by every evaluation until the next change.
class RuleSet {
 public:
  // Throws Error naming the promotion and tier when a definition does not compile. in_segment()
  // in conditions resolves against `segments` (kept alive by the rule set); without it a
  // condition naming a segment does not compile.
  explicit RuleSet(std::vector<PromotionDefinition> definitions,
                   std::shared_ptr<const SegmentSet> segments = nullptr);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  Result evaluate(const Cart& cart, const EvalOptions& options) const;
  size_t size() const;

  // What the promotions read, as the union over every tier's condition, target and max_units:
  // event types, segment ids, customer fields, time. The adapter loads only that.
  const rule::Dependencies& dependencies() const;
  // (promotion, tier) pairs whose rules read segment `id`, in evaluation order; used to refuse
  // deleting or renaming a segment a promotion still needs.
  std::vector<std::pair<std::string, std::string>> users_of_segment(uint32_t id) const;
  // Active promotions with a limit, a budget or requires_code, in evaluation order: the adapter
  // reads counters and codes only when this is non-empty (or the cart carries codes).
  const std::vector<PromotionLimits>& gated_promotions() const;
  // Every promotion with its compiled tiers, in evaluation order (priority DESC, sequence ASC).
  const std::vector<CataloguePromotion>& catalogue() const;
  // The catalogue in_segment() resolved against (may be null).
  const std::shared_ptr<const SegmentSet>& segments() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace promo
