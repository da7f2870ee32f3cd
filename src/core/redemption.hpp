// Redemption-side facts for an evaluation: which promotions are blocked by a limit or budget,
// how much a budgeted promotion may still grant, and what the cart's codes are worth. Plain
// C++: the adapter reads counters and code rows, this file turns them into gates the engine
// applies (see EvalOptions::gates), so evaluate_cart and redeem decide identically.
#pragma once
#include "core/cpp_only.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promo {

// A promotion's limits as defined in promo.promotions (null columns: nullopt).
struct PromotionLimits {
  std::string name;
  const Currency* currency = nullptr;
  std::optional<int64_t> per_customer_limit;
  std::optional<int64_t> total_limit;
  std::optional<int64_t> budget;  // minor units of `currency`
  bool requires_code = false;

  bool has_counters() const { return per_customer_limit || total_limit || budget; }
};

// What a promotion has used so far (counters of promo.customer_usage, promo.promotion_slots and
// promo.promotion_budget).
struct PromotionUsage {
  int64_t customer_used = 0;  // by this customer (0 for a guest)
  int64_t total_used = 0;     // sum over the slots
  int64_t budget_used = 0;    // minor units granted so far
};

// What the engine must respect for one promotion. Empty blocked_code: not blocked.
struct PromotionGate {
  std::string blocked_code;    // limit_reached, budget_exhausted
  std::string blocked_reason;  // "limit of 1 per customer reached"
  std::optional<int64_t> cap;  // the most it may grant (budget left), in minor units
};

// The state of one cart code.
enum class CodeStatus {
  kValid,        // usable by this customer now
  kUnknown,      // no such code
  kUsedUp,       // uses == max_uses
  kNotYours,     // assigned to another customer (or to a customer while shopping as a guest)
  kOwnReferral,  // a referral code used by its owner
};

// A code row of promo.codes, as the adapter reads it.
struct CodeRow {
  std::string code;
  std::string promotion;
  std::optional<std::string> customer_id;        // null: anyone
  std::optional<std::string> owner_customer_id;  // referral codes: whose code it is
  bool referral = false;
  std::optional<int64_t> max_uses;  // null: unlimited
  int64_t uses = 0;
};

// One normalised cart code and what it is worth.
struct CartCode {
  std::string code;       // normalised
  std::string promotion;  // empty when unknown
  CodeStatus status = CodeStatus::kUnknown;
  std::optional<std::string> owner_customer_id;  // referral codes
};

struct RedemptionGates {
  std::map<std::string, PromotionGate, std::less<>> promotions;
  std::vector<CartCode> codes;  // in cart order, without duplicates

  // The gate of `promotion`, or nullptr when nothing restricts it.
  const PromotionGate* gate(std::string_view promotion) const;
};

// Trims ASCII white space and upper-cases ASCII letters: " cb-7k2m " -> "CB-7K2M". Codes are
// stored in this form and cart codes are looked up in it.
std::string normalize_code(std::string_view code);

// Normalised cart codes in order, without duplicates and without empty ones.
std::vector<std::string> normalize_codes(const std::vector<std::string>& codes);

// The status of `row` for `customer_id` (nullopt: a guest).
CodeStatus code_status(const CodeRow& row, const std::optional<std::string>& customer_id);

// The gate of a promotion from its limits and usage: blocked when a count limit is reached or
// the budget is spent; otherwise a cap of the budget left (when budgeted). Per-customer limits
// do not apply to guests (customer_known = false).
PromotionGate limit_gate(const PromotionLimits& limits, const PromotionUsage& usage,
                         bool customer_known);

// Caps a discount split over lines at `cap` (0 <= cap): when the total exceeds it, `cap` is
// re-allocated over the line amounts by largest remainder (ties: lower index), so no line gets
// more than before and the lines sum to `cap`. Returns the new total.
int64_t cap_discount(std::vector<int64_t>& per_line, int64_t total, int64_t cap);

}  // namespace promo
