// Exact decimal numbers for rule literals, percentages and numeric item attributes. Never a
// floating point value: money must stay exact.
#pragma once
#include "core/cpp_only.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace promo {

// value = mantissa / 10^scale, with 0 <= scale <= 18. Not normalised: 1.50 keeps scale 2, so
// the number of written decimals is known (money literals may not have more than the currency).
struct Decimal {
  int64_t mantissa = 0;
  int scale = 0;

  // Parses JSON-number syntax (optional '-', digits, optional fraction, optional exponent).
  // Returns nullopt when the text is not a number or does not fit int64 at its scale.
  static std::optional<Decimal> parse(std::string_view text);

  bool is_integer() const;                  // no non-zero fractional digits
  std::optional<int64_t> to_int64() const;  // exact integers only
  // Rescales to `scale` exactly; nullopt when digits would be lost or the result overflows.
  std::optional<int64_t> scaled_to(int scale) const;
  std::string to_string() const;  // canonical text, keeps the written scale
};

// Three-way comparison by value (1.5 == 1.50).
int compare(const Decimal& a, const Decimal& b);

}  // namespace promo
