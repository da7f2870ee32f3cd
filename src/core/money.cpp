// Money arithmetic: currency lookup, formatting, percentages, proportional allocation and
// overflow-checked sums. Every rounding decision of the engine is made here so it is made once.
#include "core/money.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cstdlib>
#include <numeric>

namespace promo {

// Defined in currency_table.cpp: the ISO 4217 table, sorted by code.
std::span<const Currency> iso4217_currencies();

namespace {

// Powers of ten up to 10^18, the largest that fits int64.
constexpr int64_t kPow10[] = {1,
                              10,
                              100,
                              1000,
                              10000,
                              100000,
                              1000000,
                              10000000,
                              100000000,
                              1000000000,
                              10000000000,
                              100000000000,
                              1000000000000,
                              10000000000000,
                              100000000000000,
                              1000000000000000,
                              10000000000000000,
                              100000000000000000,
                              1000000000000000000};

// Writes the decimal digits of `value` (no sign) to the end of `out`.
void append_unsigned(std::string& out, uint64_t value) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) out.push_back(digits[--n]);
}

// Magnitude of a signed value as unsigned, valid for INT64_MIN too.
uint64_t magnitude(int64_t value) {
  return value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
}

// Formats |value| / 10^decimals with exactly `decimals` digits after the point (none and no
// point when decimals is 0), with a leading '-' for negative values.
std::string format_fixed(int64_t value, int decimals) {
  std::string out;
  out.reserve(24);
  if (value < 0) out.push_back('-');
  const uint64_t abs = magnitude(value);
  if (decimals == 0) {
    append_unsigned(out, abs);
    return out;
  }
  const uint64_t divisor = static_cast<uint64_t>(kPow10[decimals]);
  append_unsigned(out, abs / divisor);
  out.push_back('.');
  std::string fraction;
  append_unsigned(fraction, abs % divisor);
  out.append(static_cast<size_t>(decimals) - fraction.size(), '0');
  out += fraction;
  return out;
}

// Converts an __int128 known to be in range back to int64, or throws 22003 naming `what`.
int64_t narrow_or_throw(__int128 value, const char* what) {
  if (value > INT64_MAX || value < INT64_MIN) {
    throw Error(sqlstate::kNumericOutOfRange, std::string(what) + " is out of range");
  }
  return static_cast<int64_t>(value);
}

}  // namespace

// Binary search over the sorted ISO table: exact, case-sensitive match on the three letters.
const Currency* find_currency(std::string_view code) {
  const std::span<const Currency> table = iso4217_currencies();
  auto it = std::lower_bound(table.begin(), table.end(), code,
                             [](const Currency& c, std::string_view key) { return c.code < key; });
  if (it == table.end() || it->code != code) return nullptr;
  return &*it;
}

// Minor units as major units with the currency's decimals: 5000 USD -> "50.00", -5 USD ->
// "-0.05", 500 JPY -> "500", 1234 BHD -> "1.234".
std::string format_major(int64_t minor, const Currency& currency) {
  return format_fixed(minor, currency.exponent);
}

// A decimal percentage as fixed-point units of 0.0001%. Only converts: the 0 < p <= 100 range
// is the caller's check, so it can name the offending path in its message. Returns nullopt when
// non-zero digits would be lost beyond the 4th decimal, or the value does not fit int64.
std::optional<Percent> Percent::from_decimal(const Decimal& d) {
  std::optional<int64_t> units = d.scaled_to(4);
  if (!units) return std::nullopt;
  return Percent{*units};
}

// Shortest exact text: 333000 -> "33.3", 50000 -> "5", 1 -> "0.0001".
std::string Percent::to_string() const {
  std::string text = format_fixed(units, 4);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

// amount * p / 100 rounded half-up to the minor unit, in 128-bit so no intermediate overflows.
// A negative amount (not used by the engine) rounds symmetrically, half away from zero.
int64_t percent_of(int64_t amount, Percent p) {
  constexpr __int128 kDivisor = static_cast<__int128>(100) * Percent::kScale;
  const __int128 product = static_cast<__int128>(amount) * p.units;
  const __int128 abs = product < 0 ? -product : product;
  const __int128 rounded = (abs + kDivisor / 2) / kDivisor;
  return narrow_or_throw(product < 0 ? -rounded : rounded, "percentage amount");
}

// Largest-remainder allocation (see money.hpp). The floor shares leave fewer leftover units than
// there are lines with a non-zero remainder, and a line with a non-zero remainder has a floor
// share strictly below its weight, so giving it one more unit never exceeds the weight.
std::vector<int64_t> allocate_largest_remainder(int64_t total, std::span<const int64_t> weights) {
  __int128 weight_sum = 0;
  for (int64_t w : weights) {
    if (w < 0) throw Error(sqlstate::kInternalError, "allocation weight is negative");
    weight_sum += w;
  }
  if (total < 0 || total > weight_sum) {
    throw Error(sqlstate::kInternalError,
                "allocation total " + std::to_string(total) + " is outside 0..sum of weights");
  }
  std::vector<int64_t> shares(weights.size(), 0);
  if (total == 0) return shares;

  std::vector<__int128> remainders(weights.size());
  int64_t allocated = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const __int128 scaled = static_cast<__int128>(total) * weights[i];
    shares[i] = static_cast<int64_t>(scaled / weight_sum);
    remainders[i] = scaled % weight_sum;
    allocated += shares[i];
  }
  const size_t leftover = static_cast<size_t>(total - allocated);
  if (leftover == 0) return shares;

  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto larger_remainder_first = [&](size_t a, size_t b) {
    if (remainders[a] != remainders[b]) return remainders[a] > remainders[b];
    return a < b;
  };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(leftover),
                    order.end(), larger_remainder_first);
  for (size_t k = 0; k < leftover; ++k) ++shares[order[k]];
  return shares;
}

// a + b, or Error(22003) "<what> is out of range".
int64_t checked_add(int64_t a, int64_t b, const char* what) {
  int64_t result;
  if (__builtin_add_overflow(a, b, &result)) {
    throw Error(sqlstate::kNumericOutOfRange, std::string(what) + " is out of range");
  }
  return result;
}

// a * b, or Error(22003) "<what> is out of range".
int64_t checked_mul(int64_t a, int64_t b, const char* what) {
  int64_t result;
  if (__builtin_mul_overflow(a, b, &result)) {
    throw Error(sqlstate::kNumericOutOfRange, std::string(what) + " is out of range");
  }
  return result;
}

}  // namespace promo
