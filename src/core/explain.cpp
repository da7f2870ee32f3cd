// Wording of explanations and hints (see explain.hpp).
#include "core/explain.hpp"

#include <cstdio>
#include <string>

namespace promo::explain {
namespace {

// Floor division for possibly negative numerators (times before the epoch).
int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// "'name'" with single quotes, as names appear in every reason.
std::string quoted(std::string_view name) {
  return "'" + std::string(name) + "'";
}

}  // namespace

std::string format_utc(int64_t micros) {
  constexpr int64_t kMicrosPerDay = 86'400'000'000;
  const int64_t days = floor_div(micros, kMicrosPerDay);
  const int64_t seconds_of_day = (micros - days * kMicrosPerDay) / 1'000'000;
  // civil_from_days (H. Hinnant): days since 1970-01-01 -> year, month, day.
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char text[64];
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(seconds_of_day / 3600),
                static_cast<long long>(seconds_of_day / 60 % 60),
                static_cast<long long>(seconds_of_day % 60));
  return text;
}

std::string currency_mismatch(std::string_view promotion_currency, std::string_view cart_currency) {
  return "promotion is in " + std::string(promotion_currency) + ", cart is in " +
         std::string(cart_currency);
}

std::string not_started(int64_t starts_at) {
  return "starts at " + format_utc(starts_at);
}

std::string ended(int64_t ends_at) {
  return "ended at " + format_utc(ends_at);
}

std::string condition_failed(std::string_view tier, std::string_view failure) {
  return "tier " + quoted(tier) + ": " + std::string(failure);
}

std::string excluded_by(std::string_view exclusive_promotion) {
  return "excluded by exclusive promotion " + quoted(exclusive_promotion);
}

std::string exclusive_after(std::string_view first_applied) {
  return "exclusive, but promotion " + quoted(first_applied) + " already applied";
}

std::string nothing_to_discount(std::string_view tier, EmptyReason why) {
  const std::string head = "tier " + quoted(tier) + " qualifies but ";
  switch (why) {
    case EmptyReason::kNoEligibleLine:
      return head + "its discount target matches no item in the cart";
    case EmptyReason::kNoUnits:
      return head + "its max_units allows 0 units";
    case EmptyReason::kNothingLeft:
    case EmptyReason::kNone:
      break;
  }
  return head + "its discount comes to 0 on what earlier promotions left";
}

std::string no_tiers() {
  return "promotion has no tiers";
}

std::string customer_limit_reached(int64_t limit) {
  return "limit of " + std::to_string(limit) + " per customer reached";
}

std::string total_limit_reached(int64_t limit) {
  return "total limit of " + std::to_string(limit) + " reached";
}

std::string budget_exhausted(int64_t budget, const Currency* currency) {
  if (currency == nullptr) return "budget of " + std::to_string(budget) + " exhausted";
  return "budget of " + format_major(budget, *currency) + " " + std::string(currency->code) +
         " exhausted";
}

std::string code_required() {
  return "needs a code";
}

std::string code_invalid(std::string_view code) {
  return "code " + quoted(code) + " does not exist";
}

std::string code_used_up(std::string_view code) {
  return "code " + quoted(code) + " is used up";
}

std::string code_not_yours(std::string_view code) {
  return "code " + quoted(code) + " is assigned to another customer";
}

std::string own_referral_code() {
  return "a referral code cannot be used by its owner";
}

std::string code_promotion_inactive(std::string_view code, std::string_view promotion) {
  return "code " + quoted(code) + " is for promotion " + quoted(promotion) +
         ", which is not active";
}

std::optional<std::string> join_needs(const std::optional<std::vector<rule::Need>>& needs) {
  if (!needs || needs->empty()) return std::nullopt;
  std::string joined;
  for (const rule::Need& need : *needs) {
    if (!joined.empty()) joined += " and ";
    joined += need.text;
  }
  return joined;
}

}  // namespace promo::explain
