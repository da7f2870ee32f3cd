// Words for explanations (not_applied reasons) and hints: the engine decides WHAT happened, this
// file decides how it reads to a support agent. Reason codes are stable; wording may change.
#pragma once
#include "core/cpp_only.hpp"
#include "core/discount.hpp"
#include "core/rule.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promo::explain {

// Stable machine-readable reason codes of Result::not_applied.
inline constexpr const char* kCurrencyMismatch = "currency_mismatch";
inline constexpr const char* kNotStarted = "not_started";
inline constexpr const char* kEnded = "ended";
inline constexpr const char* kConditionFailed = "condition_failed";
inline constexpr const char* kNotInSegment = "not_in_segment";
inline constexpr const char* kExcluded = "excluded";
inline constexpr const char* kNothingToDiscount = "nothing_to_discount";
inline constexpr const char* kNoTiers = "no_tiers";
// Redemption side: limits, budgets and codes.
inline constexpr const char* kLimitReached = "limit_reached";
inline constexpr const char* kBudgetExhausted = "budget_exhausted";
inline constexpr const char* kCodeRequired = "code_required";
inline constexpr const char* kCodeInvalid = "code_invalid";
inline constexpr const char* kCodeUsedUp = "code_used_up";
inline constexpr const char* kCodeNotYours = "code_not_yours";
inline constexpr const char* kCodePromotionInactive = "promotion_inactive";

// Microseconds since the Unix epoch as "2026-12-01 00:00:00 UTC" (proleptic Gregorian, works
// for times before 1970 too; sub-second digits are dropped).
std::string format_utc(int64_t micros);

// "promotion is in EUR, cart is in USD"
std::string currency_mismatch(std::string_view promotion_currency, std::string_view cart_currency);
// "starts at 2026-12-01 00:00:00 UTC"
std::string not_started(int64_t starts_at);
// "ended at 2026-12-31 00:00:00 UTC"
std::string ended(int64_t ends_at);
// "tier '10% from $100': subtotal >= 100.00 is false (subtotal is 75.00)", and for
// not_in_segment "tier '$10 off': not in segment abandoned-cart".
std::string condition_failed(std::string_view tier, std::string_view failure);
// "excluded by exclusive promotion 'vip-only'"
std::string excluded_by(std::string_view exclusive_promotion);
// "exclusive, but promotion 'spend-more' already applied"
std::string exclusive_after(std::string_view first_applied);
// "tier 'B free': discount target matches no item in the cart", and the other empty reasons.
std::string nothing_to_discount(std::string_view tier, EmptyReason why);
// "promotion has no tiers"
std::string no_tiers();

// "limit of 1 per customer reached"
std::string customer_limit_reached(int64_t limit);
// "total limit of 100 reached"
std::string total_limit_reached(int64_t limit);
// "budget of 500.00 USD exhausted" (the currency may be null: minor units, no code)
std::string budget_exhausted(int64_t budget, const Currency* currency);
// "needs a code"
std::string code_required();
// "code 'X' does not exist"
std::string code_invalid(std::string_view code);
// "code 'X' is used up"
std::string code_used_up(std::string_view code);
// "code 'X' is assigned to another customer"
std::string code_not_yours(std::string_view code);
// "a referral code cannot be used by its owner"
std::string own_referral_code();
// "code 'X' is for promotion 'p', which is not active"
std::string code_promotion_inactive(std::string_view code, std::string_view promotion);

// Needs joined with " and " ("subtotal 2500 short and add 1 unit matching sku = 'B'");
// nullopt when `needs` is nullopt or empty (nothing the shopper can add).
std::optional<std::string> join_needs(const std::optional<std::vector<rule::Need>>& needs);

}  // namespace promo::explain
