// Money: integer minor units with an ISO 4217 currency. Rounding and allocation rules live here
// and nowhere else.
#pragma once
#include "core/cpp_only.hpp"
#include "core/decimal.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace promo {

struct Currency {
  std::string_view code;  // "USD"
  int exponent;           // minor units per major unit = 10^exponent (USD 2, JPY 0, BHD 3)
};

// ISO 4217 active codes, exact upper-case match; nullptr when unknown.
const Currency* find_currency(std::string_view code);

// Formats minor units as major units with the currency's decimals: 5000 USD -> "50.00".
std::string format_major(int64_t minor, const Currency& currency);

// Percentage as fixed point: 1 unit = 0.0001 percent (33.3% -> 333000). 0 < p <= 100%.
struct Percent {
  static constexpr int64_t kScale = 10000;  // units per percent
  int64_t units = 0;
  static std::optional<Percent> from_decimal(const Decimal& d);  // nullopt if more than 4 decimals
  std::string to_string() const;                                 // "33.3"
};

// amount * p / 100, rounded half-up to the minor unit (amount >= 0).
int64_t percent_of(int64_t amount, Percent p);

// Splits `total` (0 <= total <= sum(weights)) over `weights` (each >= 0) in proportion, by the
// largest-remainder method: every share is floor(total * w / sum) first, then the leftover minor
// units go one each to the largest remainders (ties: lower index). Shares sum to `total` exactly
// and no share exceeds its weight.
std::vector<int64_t> allocate_largest_remainder(int64_t total, std::span<const int64_t> weights);

// Checked arithmetic for money; throws Error(22003) naming `what` on overflow.
int64_t checked_add(int64_t a, int64_t b, const char* what);
int64_t checked_mul(int64_t a, int64_t b, const char* what);

}  // namespace promo
