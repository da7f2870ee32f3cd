// Redemption gates (see redemption.hpp).
#include "core/redemption.hpp"

#include "core/explain.hpp"

#include <algorithm>

namespace promo {

const PromotionGate* RedemptionGates::gate(std::string_view promotion) const {
  auto found = promotions.find(promotion);
  return found == promotions.end() ? nullptr : &found->second;
}

std::string normalize_code(std::string_view code) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  size_t begin = 0;
  size_t end = code.size();
  while (begin < end && is_space(code[begin])) ++begin;
  while (end > begin && is_space(code[end - 1])) --end;
  std::string normalized(code.substr(begin, end - begin));
  for (char& c : normalized) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return normalized;
}

std::vector<std::string> normalize_codes(const std::vector<std::string>& codes) {
  std::vector<std::string> normalized;
  normalized.reserve(codes.size());
  for (const std::string& code : codes) {
    std::string one = normalize_code(code);
    if (one.empty()) continue;
    if (std::find(normalized.begin(), normalized.end(), one) != normalized.end()) continue;
    normalized.push_back(std::move(one));
  }
  return normalized;
}

CodeStatus code_status(const CodeRow& row, const std::optional<std::string>& customer_id) {
  if (row.referral && row.owner_customer_id && customer_id &&
      *row.owner_customer_id == *customer_id) {
    return CodeStatus::kOwnReferral;
  }
  if (row.customer_id && (!customer_id || *row.customer_id != *customer_id)) {
    return CodeStatus::kNotYours;
  }
  if (row.max_uses && row.uses >= *row.max_uses) return CodeStatus::kUsedUp;
  return CodeStatus::kValid;
}

PromotionGate limit_gate(const PromotionLimits& limits, const PromotionUsage& usage,
                         bool customer_known) {
  PromotionGate gate;
  if (customer_known && limits.per_customer_limit &&
      usage.customer_used >= *limits.per_customer_limit) {
    gate.blocked_code = explain::kLimitReached;
    gate.blocked_reason = explain::customer_limit_reached(*limits.per_customer_limit);
    return gate;
  }
  if (limits.total_limit && usage.total_used >= *limits.total_limit) {
    gate.blocked_code = explain::kLimitReached;
    gate.blocked_reason = explain::total_limit_reached(*limits.total_limit);
    return gate;
  }
  if (limits.budget) {
    const int64_t left = std::max<int64_t>(0, *limits.budget - usage.budget_used);
    if (left == 0) {
      gate.blocked_code = explain::kBudgetExhausted;
      gate.blocked_reason = explain::budget_exhausted(*limits.budget, limits.currency);
      return gate;
    }
    gate.cap = left;
  }
  return gate;
}

int64_t cap_discount(std::vector<int64_t>& per_line, int64_t total, int64_t cap) {
  if (cap < 0) cap = 0;
  if (total <= cap) return total;
  per_line = allocate_largest_remainder(cap, per_line);
  return cap;
}

}  // namespace promo
