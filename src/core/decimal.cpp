// Exact decimal numbers: parsing JSON-number text into mantissa/scale, rescaling and comparing
// without ever going through floating point.
#include "core/decimal.hpp"

#include <limits>

namespace promo {
namespace {

constexpr int kMaxScale = 18;

// 10^n as a 128-bit integer for 0 <= n <= 38 (the largest power that fits).
__int128 pow10_128(int n) {
  __int128 result = 1;
  for (int i = 0; i < n; ++i) result *= 10;
  return result;
}

// True when `value` is representable as int64.
bool fits_int64(__int128 value) {
  return value >= std::numeric_limits<int64_t>::min() &&
         value <= std::numeric_limits<int64_t>::max();
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

// Parses JSON-number syntax. The written scale is kept (1.50 -> 150, scale 2); an exponent moves
// it (1.5e1 -> 15, scale 0; 15e-3 -> 15, scale 3). A negative effective scale is folded into the
// mantissa; a scale above 18 is reduced only by dropping trailing zero digits, otherwise the
// number does not fit and the result is nullopt, as it is when the mantissa overflows int64.
std::optional<Decimal> Decimal::parse(std::string_view text) {
  size_t pos = 0;
  bool negative = false;
  if (pos < text.size() && text[pos] == '-') {
    negative = true;
    ++pos;
  }
  // Integer part: "0" or a non-zero digit followed by digits.
  if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
  std::string digits;
  if (text[pos] == '0') {
    ++pos;
  } else {
    while (pos < text.size() && is_digit(text[pos])) digits.push_back(text[pos++]);
  }
  int64_t scale = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
    while (pos < text.size() && is_digit(text[pos])) {
      digits.push_back(text[pos++]);
      ++scale;
    }
  }
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    bool exponent_negative = false;
    if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      exponent_negative = text[pos] == '-';
      ++pos;
    }
    if (pos >= text.size() || !is_digit(text[pos])) return std::nullopt;
    int64_t exponent = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      // Clamp: anything this large fails the range checks below anyway.
      if (exponent < 1000000) exponent = exponent * 10 + (text[pos] - '0');
      ++pos;
    }
    scale += exponent_negative ? exponent : -exponent;
  }
  if (pos != text.size()) return std::nullopt;

  // Leading zeros carry no value ("0.05" has digits "05").
  size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) {
    // The value is zero: keep the written scale when it is representable.
    if (scale < 0) scale = 0;
    if (scale > kMaxScale) scale = kMaxScale;
    return Decimal{0, static_cast<int>(scale)};
  }
  digits.erase(0, first_nonzero);
  while (scale > kMaxScale && !digits.empty() && digits.back() == '0') {
    digits.pop_back();
    --scale;
  }
  if (scale > kMaxScale) return std::nullopt;
  if (scale < 0) {
    if (digits.size() + static_cast<size_t>(-scale) > 19) return std::nullopt;
    digits.append(static_cast<size_t>(-scale), '0');
    scale = 0;
  }
  if (digits.size() > 19) return std::nullopt;
  __int128 magnitude = 0;
  for (char c : digits) magnitude = magnitude * 10 + (c - '0');
  __int128 value = negative ? -magnitude : magnitude;
  if (!fits_int64(value)) return std::nullopt;
  return Decimal{static_cast<int64_t>(value), static_cast<int>(scale)};
}

// True when the fractional digits are all zero (1.00 is an integer, 1.50 is not).
bool Decimal::is_integer() const {
  return mantissa % static_cast<int64_t>(pow10_128(scale)) == 0;
}

// The exact integer value, or nullopt when there is a non-zero fraction.
std::optional<int64_t> Decimal::to_int64() const {
  return scaled_to(0);
}

// mantissa * 10^(target - scale), exact: nullopt when digits would be dropped or int64 overflows.
std::optional<int64_t> Decimal::scaled_to(int target) const {
  if (target < 0) return std::nullopt;
  if (target >= scale) {
    int shift = target - scale;
    if (mantissa == 0) return 0;
    if (shift > 18) return std::nullopt;  // |mantissa| >= 1, so 10^19 already overflows
    __int128 value = static_cast<__int128>(mantissa) * pow10_128(shift);
    if (!fits_int64(value)) return std::nullopt;
    return static_cast<int64_t>(value);
  }
  __int128 divisor = pow10_128(scale - target);
  if (mantissa % divisor != 0) return std::nullopt;
  return static_cast<int64_t>(mantissa / divisor);
}

// Canonical text with the written scale: {150, 2} -> "1.50", {-5, 2} -> "-0.05", {7, 0} -> "7".
std::string Decimal::to_string() const {
  bool negative = mantissa < 0;
  // Negating through uint64 keeps INT64_MIN defined.
  uint64_t magnitude =
      negative ? 0 - static_cast<uint64_t>(mantissa) : static_cast<uint64_t>(mantissa);
  std::string digits = std::to_string(magnitude);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) {
      digits.insert(0, static_cast<size_t>(scale) + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale), ".");
  }
  return negative ? "-" + digits : digits;
}

// Compares by value: both sides are brought to scale 18 in 128 bits, which cannot overflow
// (|int64| * 10^18 < 2^127).
int compare(const Decimal& a, const Decimal& b) {
  __int128 left = static_cast<__int128>(a.mantissa) * pow10_128(kMaxScale - a.scale);
  __int128 right = static_cast<__int128>(b.mantissa) * pow10_128(kMaxScale - b.scale);
  if (left < right) return -1;
  if (left > right) return 1;
  return 0;
}

}  // namespace promo
