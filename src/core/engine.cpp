// The cart engine (see engine.hpp). Decided semantics, from the product brief:
//  - Conditions read the ORIGINAL cart; discounts apply to what earlier promotions left.
//  - Order: priority DESC, then sequence ASC. Each applied discount works on the line amounts the
//    earlier ones left (stacking).
//  - Within a promotion, among the qualifying tiers the largest discount (on the current amounts)
//    applies; ties go to the first inserted. A best discount of 0 is `nothing_to_discount`.
//  - exclusive: applies only if nothing applied before it; once it applies, every later
//    promotion is `excluded`.
//  - Reasons are checked in this order: currency, time window, no tiers, excluded by an earlier
//    exclusive promotion, conditions, nothing to discount, exclusive after an applied one.
//  - not_applied for failed conditions explains the first tier (Program::explain): reason_code
//    not_in_segment when the failing part is in_segment() ("tier '$10 off': not in segment
//    abandoned-cart"), condition_failed otherwise; both texts carry the "tier 'x': " prefix.
//  - Customer-side facts (segments, history, customer fields) come from EvalOptions; now() is
//    EvalOptions::at. A guest (no customer) has no history and is in no segment.
//  - Redemption gates (EvalOptions::gates): after the exclusivity check, a blocked promotion is
//    limit_reached / budget_exhausted; a requires_code promotion without a valid cart code of its
//    own is code_used_up / code_not_yours (first refused code) or code_required; a budget cap
//    lowers the chosen tier's discount (re-allocated over its lines by largest remainder).
//  - Hints: every tier of a condition_failed promotion, and every non-qualifying tier of an
//    applied promotion whose discount (on the same amounts) beats the applied tier's, when
//    Program::missing() says what to add.
#include "core/engine.hpp"

#include "core/discount.hpp"
#include "core/explain.hpp"
#include "core/money.hpp"
#include "core/promotion_index.hpp"
#include "core/redemption.hpp"
#include "core/rule.hpp"

#include <algorithm>
#include <utility>

namespace promo {
namespace {

struct CompiledTier {
  std::string name;
  std::shared_ptr<const rule::Program> condition;
  Discount discount;
};

struct CompiledPromotion {
  std::string name;
  const Currency* currency = nullptr;
  bool exclusive = false;
  std::optional<int64_t> starts_at;
  std::optional<int64_t> ends_at;
  std::vector<CompiledTier> tiers;
  bool requires_code = false;
};

// Rethrows `error` with `prefix` in front of its message, keeping SQLSTATE, detail and hint.
[[noreturn]] void rethrow_prefixed(const Error& error, const std::string& prefix) {
  throw Error(error.sqlstate(), prefix + error.what(), error.detail(), error.hint());
}

// The ISO 4217 currency for `code`, or Error(22023) "unknown currency 'XYZ'".
const Currency& require_currency(std::string_view code) {
  const Currency* currency = find_currency(code);
  if (currency == nullptr) {
    throw Error(sqlstate::kInvalidParameterValue, "unknown currency '" + std::string(code) + "'");
  }
  return *currency;
}

// Names for compiling a promotion's rules: its currency and the segment catalogue (null: no
// segment is known).
rule::Environment environment_for(const Currency& currency, const SegmentSet* segments) {
  rule::Environment environment;
  environment.currency = &currency;
  if (segments != nullptr) {
    environment.resolve_segment = [segments](std::string_view name) {
      return segments->find(name);
    };
  }
  return environment;
}

// Compiles a tier condition; errors read "condition: unknown function 'subtotl' at 1:1".
std::shared_ptr<const rule::Program> compile_condition(std::string_view text,
                                                       const Currency& currency,
                                                       const SegmentSet* segments) {
  try {
    return rule::compile(text, rule::Context::kCondition, environment_for(currency, segments));
  } catch (const Error& error) {
    rethrow_prefixed(error, "condition: ");
  }
}

// Compiles one promotion; errors name it: "promotion 'x' tier 'y': condition: ...".
CompiledPromotion compile_promotion(const PromotionDefinition& definition,
                                    const SegmentSet* segments) {
  CompiledPromotion compiled;
  compiled.name = definition.name;
  compiled.exclusive = definition.exclusive;
  compiled.starts_at = definition.starts_at;
  compiled.ends_at = definition.ends_at;
  compiled.requires_code = definition.requires_code;
  try {
    compiled.currency = &require_currency(definition.currency);
  } catch (const Error& error) {
    rethrow_prefixed(error, "promotion '" + definition.name + "': ");
  }
  for (const TierDefinition& tier : definition.tiers) {
    try {
      compiled.tiers.push_back(
          CompiledTier{tier.name, compile_condition(tier.condition, *compiled.currency, segments),
                       parse_discount(tier.discount_json, *compiled.currency)});
    } catch (const Error& error) {
      rethrow_prefixed(error, "promotion '" + definition.name + "' tier '" + tier.name + "': ");
    }
  }
  return compiled;
}

// What the index needs about a promotion: its keys when every tier is key-constrained, and the
// smallest subtotal for which any tier can hold.
IndexEntry index_entry(const CompiledPromotion& promotion) {
  IndexEntry entry;
  entry.currency = promotion.currency->code;
  entry.has_tiers = !promotion.tiers.empty();
  entry.constrained = entry.has_tiers;
  entry.min_subtotal = entry.has_tiers ? INT64_MAX : 0;
  for (const CompiledTier& tier : promotion.tiers) {
    const rule::KeyRequirement& keys = tier.condition->required_keys();
    entry.constrained = entry.constrained && keys.constrained;
    if (keys.constrained) entry.keys.insert(entry.keys.end(), keys.keys.begin(), keys.keys.end());
    entry.min_subtotal = std::min(entry.min_subtotal, tier.condition->min_subtotal());
  }
  if (!entry.constrained) entry.keys.clear();
  return entry;
}

// One evaluation of one cart: walks the promotions in order and builds the Result.
class Evaluation {
 public:
  Evaluation(const std::vector<CompiledPromotion>& promotions, const Cart& cart,
             const EvalOptions& options)
      : promotions_(promotions), cart_(cart), options_(options), meter_(options.poll) {
    facts_.cart = &cart;
    facts_.customer = options.customer;
    facts_.segments = options.segments;
    facts_.calendar = options.calendar;
    facts_.now = options.at;
  }

  // Evaluates the promotions whose ids are in `candidates` (ascending). With explain, every
  // other promotion is still reported: the index guarantees its conditions are all false.
  Result run(const std::vector<uint32_t>& candidates) {
    start_result();
    if (options_.explain) {
      size_t next = 0;
      for (uint32_t id = 0; id < promotions_.size(); ++id) {
        const bool candidate = next < candidates.size() && candidates[next] == id;
        if (candidate) ++next;
        meter_.tick();
        visit(promotions_[id], candidate);
      }
    } else {
      for (uint32_t id : candidates) {
        meter_.tick();
        visit(promotions_[id], true);
        if (exclusive_applied_) break;  // everything later is excluded
      }
    }
    if (options_.explain && options_.gates != nullptr) explain_foreign_codes();
    finish_result();
    return std::move(result_);
  }

 private:
  // Fills the per-line results with undiscounted lines and the current amounts.
  void start_result() {
    result_.currency = cart_.currency;
    result_.subtotal = cart_.subtotal;
    result_.items.reserve(cart_.items.size());
    remaining_.reserve(cart_.items.size());
    for (size_t i = 0; i < cart_.items.size(); ++i) {
      meter_.tick();
      const CartItem& item = cart_.items[i];
      result_.items.push_back(
          ItemResult{i, item.sku, item.quantity, item.unit_price, 0, item.line_total, {}});
      remaining_.push_back(item.line_total);
    }
  }

  // Totals: the lines' discounts sum to the order discount by construction.
  void finish_result() {
    int64_t discount = 0;
    for (const AppliedPromotion& applied : result_.applied) discount += applied.discount;
    result_.discount = discount;
    result_.total = result_.subtotal - discount;
  }

  // Decides one promotion: skipped (with its reason when explaining) or applied.
  void visit(const CompiledPromotion& promotion, bool candidate) {
    if (promotion.currency->code != cart_.currency->code) {
      not_applied(promotion, explain::kCurrencyMismatch, [&] {
        return explain::currency_mismatch(promotion.currency->code, cart_.currency->code);
      });
      return;
    }
    if (promotion.starts_at && options_.at < *promotion.starts_at) {
      not_applied(promotion, explain::kNotStarted,
                  [&] { return explain::not_started(*promotion.starts_at); });
      return;
    }
    if (promotion.ends_at && options_.at >= *promotion.ends_at) {
      not_applied(promotion, explain::kEnded, [&] { return explain::ended(*promotion.ends_at); });
      return;
    }
    if (promotion.tiers.empty()) {
      not_applied(promotion, explain::kNoTiers, [] { return explain::no_tiers(); });
      return;
    }
    if (exclusive_applied_) {
      not_applied(promotion, explain::kExcluded,
                  [&] { return explain::excluded_by(*exclusive_applied_); });
      return;
    }
    const PromotionGate* gate = nullptr;
    if (options_.gates != nullptr) {
      gate = options_.gates->gate(promotion.name);
      if (gate != nullptr && !gate->blocked_code.empty()) {
        not_applied(promotion, gate->blocked_code.c_str(), [&] { return gate->blocked_reason; });
        return;
      }
    }
    const CartCode* code = valid_code(promotion);
    if (promotion.requires_code && code == nullptr) {
      code_refused(promotion);
      return;
    }
    // Without explanations an exclusive promotion after an applied one needs no evaluation.
    if (!options_.explain && promotion.exclusive && !result_.applied.empty()) return;
    if (!candidate) {
      conditions_failed(promotion);
      return;
    }
    evaluate_tiers(promotion, gate, code);
  }

  // The first valid cart code of `promotion`, or nullptr.
  const CartCode* valid_code(const CompiledPromotion& promotion) const {
    if (options_.gates == nullptr) return nullptr;
    for (const CartCode& code : options_.gates->codes) {
      if (code.status == CodeStatus::kValid && code.promotion == promotion.name) return &code;
    }
    return nullptr;
  }

  // The first cart code of `promotion` whatever its status, or nullptr.
  const CartCode* any_code(std::string_view promotion) const {
    if (options_.gates == nullptr) return nullptr;
    for (const CartCode& code : options_.gates->codes) {
      if (code.promotion == promotion) return &code;
    }
    return nullptr;
  }

  // A requires_code promotion without a valid code: the first refused code's reason, or
  // code_required when the cart carries none of its codes.
  void code_refused(const CompiledPromotion& promotion) {
    if (!options_.explain) return;
    const CartCode* refused = any_code(promotion.name);
    if (refused == nullptr) {
      result_.not_applied.push_back(
          NotApplied{promotion.name, explain::kCodeRequired, explain::code_required(), ""});
      return;
    }
    switch (refused->status) {
      case CodeStatus::kUsedUp:
        result_.not_applied.push_back(NotApplied{promotion.name, explain::kCodeUsedUp,
                                                 explain::code_used_up(refused->code),
                                                 refused->code});
        return;
      case CodeStatus::kOwnReferral:
        result_.not_applied.push_back(NotApplied{promotion.name, explain::kCodeNotYours,
                                                 explain::own_referral_code(), refused->code});
        return;
      case CodeStatus::kNotYours:
      case CodeStatus::kUnknown:
      case CodeStatus::kValid:
        break;
    }
    result_.not_applied.push_back(NotApplied{promotion.name, explain::kCodeNotYours,
                                             explain::code_not_yours(refused->code),
                                             refused->code});
  }

  // Cart codes that no active promotion accounts for: unknown ones (code_invalid, no
  // promotion) and codes of promotions that are not active (promotion_inactive).
  void explain_foreign_codes() {
    for (const CartCode& code : options_.gates->codes) {
      meter_.tick();
      if (code.status == CodeStatus::kUnknown || code.promotion.empty()) {
        result_.not_applied.push_back(
            NotApplied{"", explain::kCodeInvalid, explain::code_invalid(code.code), code.code});
        continue;
      }
      bool active = false;
      for (const CompiledPromotion& promotion : promotions_) {
        if (promotion.name == code.promotion) {
          active = true;
          break;
        }
      }
      if (!active) {
        result_.not_applied.push_back(
            NotApplied{code.promotion, explain::kCodePromotionInactive,
                       explain::code_promotion_inactive(code.code, code.promotion), code.code});
      }
    }
  }

  // Runs the tiers' conditions, picks the best qualifying tier and applies it.
  void evaluate_tiers(const CompiledPromotion& promotion, const PromotionGate* gate,
                      const CartCode* code) {
    const size_t tier_count = promotion.tiers.size();
    std::vector<bool> qualified(tier_count, false);
    std::optional<size_t> first_qualifying;
    EmptyReason first_empty = EmptyReason::kNone;
    std::optional<size_t> best;
    DiscountOutcome best_outcome;
    for (size_t t = 0; t < tier_count; ++t) {
      const CompiledTier& tier = promotion.tiers[t];
      meter_.tick(cart_.items.size());
      if (!tier.condition->eval_condition(facts_)) continue;
      qualified[t] = true;
      DiscountOutcome outcome = apply_discount(tier.discount, cart_, remaining_, facts_);
      if (!first_qualifying) {
        first_qualifying = t;
        first_empty = outcome.empty_reason;
      }
      if (outcome.total > best_outcome.total) {
        best = t;
        best_outcome = std::move(outcome);
      }
    }
    if (!first_qualifying) {
      conditions_failed(promotion);
      return;
    }
    if (!best) {
      not_applied(promotion, explain::kNothingToDiscount, [&] {
        return explain::nothing_to_discount(promotion.tiers[*first_qualifying].name, first_empty);
      });
      return;
    }
    if (promotion.exclusive && !result_.applied.empty()) {
      not_applied(promotion, explain::kExcluded,
                  [&] { return explain::exclusive_after(result_.applied.front().promotion); });
      return;
    }
    if (options_.explain) hint_better_tiers(promotion, qualified, best_outcome.total);
    if (gate != nullptr && gate->cap) {
      best_outcome.total = cap_discount(best_outcome.per_line, best_outcome.total, *gate->cap);
    }
    record(promotion, promotion.tiers[*best], best_outcome, code);
    if (promotion.exclusive) exclusive_applied_ = promotion.name;
  }

  // No tier qualified: the reason is the first tier's failure (not_in_segment when its failing
  // part is in_segment(), condition_failed otherwise); every tier may give a hint.
  void conditions_failed(const CompiledPromotion& promotion) {
    if (!options_.explain) return;
    const CompiledTier& nearest = promotion.tiers.front();
    rule::Explanation why = nearest.condition->explain(facts_);
    const char* code = why.reason_code == explain::kNotInSegment ? explain::kNotInSegment
                                                                 : explain::kConditionFailed;
    not_applied(promotion, code, [&] { return explain::condition_failed(nearest.name, why.text); });
    for (const CompiledTier& tier : promotion.tiers) {
      meter_.tick();
      add_hint(promotion, tier);
    }
  }

  // Hints for the tiers that did not qualify but would discount more than the applied one,
  // computed on the same current amounts.
  void hint_better_tiers(const CompiledPromotion& promotion, const std::vector<bool>& qualified,
                         int64_t applied_total) {
    for (size_t t = 0; t < promotion.tiers.size(); ++t) {
      if (qualified[t]) continue;
      const CompiledTier& tier = promotion.tiers[t];
      meter_.tick(cart_.items.size());
      std::optional<std::string> missing = explain::join_needs(tier.condition->missing(facts_));
      if (!missing) continue;
      if (apply_discount(tier.discount, cart_, remaining_, facts_).total <= applied_total) continue;
      result_.hints.push_back(Hint{promotion.name, tier.name, std::move(*missing)});
    }
  }

  // Adds the tier's hint when adding to the cart could make its condition true.
  void add_hint(const CompiledPromotion& promotion, const CompiledTier& tier) {
    std::optional<std::string> missing = explain::join_needs(tier.condition->missing(facts_));
    if (missing) result_.hints.push_back(Hint{promotion.name, tier.name, std::move(*missing)});
  }

  // Records an applied tier: the order-level entry and each line's share.
  void record(const CompiledPromotion& promotion, const CompiledTier& tier,
              const DiscountOutcome& outcome, const CartCode* code) {
    const size_t applied_index = result_.applied.size();
    result_.applied.push_back(AppliedPromotion{promotion.name, tier.name, outcome.total,
                                               code != nullptr ? code->code : std::string()});
    for (size_t i = 0; i < outcome.per_line.size(); ++i) {
      const int64_t amount = outcome.per_line[i];
      if (amount == 0) continue;
      remaining_[i] -= amount;
      ItemResult& line = result_.items[i];
      line.discount += amount;
      line.total -= amount;
      line.discounts.push_back(LineDiscount{applied_index, amount});
    }
  }

  // Adds a not_applied entry when explaining; `reason` is only built then. The entry names the
  // promotion's first cart code, if the cart carries one.
  template <class ReasonFn>
  void not_applied(const CompiledPromotion& promotion, const char* code, ReasonFn reason) {
    if (!options_.explain) return;
    const CartCode* cart_code = any_code(promotion.name);
    result_.not_applied.push_back(
        NotApplied{promotion.name, code, reason(), cart_code != nullptr ? cart_code->code : ""});
  }

  const std::vector<CompiledPromotion>& promotions_;
  const Cart& cart_;
  const EvalOptions& options_;
  WorkMeter meter_;
  rule::Facts facts_;
  Result result_;
  std::vector<int64_t> remaining_;
  std::optional<std::string> exclusive_applied_;  // name of the applied exclusive promotion
};

}  // namespace

struct RuleSet::Impl {
  std::shared_ptr<const SegmentSet> segments;
  std::vector<CompiledPromotion> promotions;  // in evaluation order
  PromotionIndex index;
  rule::Dependencies dependencies;            // union over every rule of every tier
  std::vector<PromotionLimits> gated;         // promotions with limits or requires_code, in order
  std::vector<CataloguePromotion> catalogue;  // views of `promotions`, same order
};

namespace {

// Every rule of a tier: its condition and its discount's target and max_units, when present.
template <class Visit>
void for_each_rule(const CompiledTier& tier, Visit visit) {
  visit(*tier.condition);
  if (tier.discount.target) visit(*tier.discount.target);
  if (tier.discount.max_units) visit(*tier.discount.max_units);
}

// Adds what `more` reads to `into`, keeping the lists sorted and unique.
void merge_dependencies(rule::Dependencies& into, const rule::Dependencies& more) {
  into.event_types.insert(into.event_types.end(), more.event_types.begin(), more.event_types.end());
  into.segments.insert(into.segments.end(), more.segments.begin(), more.segments.end());
  into.customer_fields = into.customer_fields || more.customer_fields;
  into.time = into.time || more.time;
  into.cart = into.cart || more.cart;
}

// Sorts and de-duplicates the lists of `dependencies`.
void normalize(rule::Dependencies& dependencies) {
  auto& types = dependencies.event_types;
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  auto& ids = dependencies.segments;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

}  // namespace

RuleSet::RuleSet(std::vector<PromotionDefinition> definitions,
                 std::shared_ptr<const SegmentSet> segments)
    : impl_(std::make_unique<Impl>()) {
  impl_->segments = std::move(segments);
  std::stable_sort(definitions.begin(), definitions.end(),
                   [](const PromotionDefinition& a, const PromotionDefinition& b) {
                     if (a.priority != b.priority) return a.priority > b.priority;
                     return a.sequence < b.sequence;
                   });
  std::vector<IndexEntry> entries;
  impl_->promotions.reserve(definitions.size());
  entries.reserve(definitions.size());
  for (const PromotionDefinition& definition : definitions) {
    impl_->promotions.push_back(compile_promotion(definition, impl_->segments.get()));
    entries.push_back(index_entry(impl_->promotions.back()));
    if (definition.per_customer_limit || definition.total_limit || definition.budget ||
        definition.requires_code) {
      impl_->gated.push_back(PromotionLimits{definition.name, impl_->promotions.back().currency,
                                             definition.per_customer_limit, definition.total_limit,
                                             definition.budget, definition.requires_code});
    }
    for (const CompiledTier& tier : impl_->promotions.back().tiers) {
      for_each_rule(tier, [&](const rule::Program& program) {
        merge_dependencies(impl_->dependencies, program.dependencies());
      });
    }
  }
  normalize(impl_->dependencies);
  impl_->index = PromotionIndex(entries);
  // Views for callers that walk the promotions; `promotions` no longer changes from here on.
  for (size_t i = 0; i < impl_->promotions.size(); ++i) {
    const CompiledPromotion& compiled = impl_->promotions[i];
    CataloguePromotion view{compiled.name,    compiled.currency,      compiled.starts_at,
                            compiled.ends_at, compiled.requires_code, {}};
    for (size_t t = 0; t < compiled.tiers.size(); ++t) {
      view.tiers.push_back(CatalogueTier{compiled.tiers[t].name,
                                         definitions[i].tiers[t].discount_json,
                                         compiled.tiers[t].condition, &compiled.tiers[t].discount});
    }
    impl_->catalogue.push_back(std::move(view));
  }
}

const std::vector<CataloguePromotion>& RuleSet::catalogue() const {
  return impl_->catalogue;
}

RuleSet::~RuleSet() = default;

size_t RuleSet::size() const {
  return impl_->promotions.size();
}

const rule::Dependencies& RuleSet::dependencies() const {
  return impl_->dependencies;
}

std::vector<std::pair<std::string, std::string>> RuleSet::users_of_segment(uint32_t id) const {
  std::vector<std::pair<std::string, std::string>> users;
  for (const CompiledPromotion& promotion : impl_->promotions) {
    for (const CompiledTier& tier : promotion.tiers) {
      bool reads = false;
      for_each_rule(tier, [&](const rule::Program& program) {
        const std::vector<uint32_t>& ids = program.dependencies().segments;
        reads = reads || std::find(ids.begin(), ids.end(), id) != ids.end();
      });
      if (reads) users.emplace_back(promotion.name, tier.name);
    }
  }
  return users;
}

const std::vector<PromotionLimits>& RuleSet::gated_promotions() const {
  return impl_->gated;
}

const std::shared_ptr<const SegmentSet>& RuleSet::segments() const {
  return impl_->segments;
}

Result RuleSet::evaluate(const Cart& cart, const EvalOptions& options) const {
  if (cart.currency == nullptr) {
    throw Error(sqlstate::kInvalidParameterValue, "cart has no currency");
  }
  WorkMeter meter(options.poll);
  std::vector<uint32_t> candidates;
  if (options.use_index) {
    impl_->index.candidates(cart, candidates, meter);
  } else {
    candidates.resize(impl_->promotions.size());
    for (uint32_t id = 0; id < candidates.size(); ++id) candidates[id] = id;
  }
  Evaluation evaluation(impl_->promotions, cart, options);
  return evaluation.run(candidates);
}

void validate_tier(std::string_view currency, std::string_view condition,
                   std::string_view discount_json) {
  validate_tier(currency, condition, discount_json, nullptr);
}

void validate_tier(std::string_view currency, std::string_view condition,
                   std::string_view discount_json, const SegmentSet* segments) {
  const Currency& resolved = require_currency(currency);
  compile_condition(condition, resolved, segments);
  parse_discount(discount_json, resolved);
}

void validate_currency(std::string_view currency) {
  require_currency(currency);
}

std::string canonical_condition(std::string_view currency, std::string_view condition) {
  return canonical_condition(currency, condition, nullptr);
}

std::string canonical_condition(std::string_view currency, std::string_view condition,
                                const SegmentSet* segments) {
  return compile_condition(condition, require_currency(currency), segments)->print();
}

}  // namespace promo
