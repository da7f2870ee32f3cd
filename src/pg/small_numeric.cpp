// Integers <-> PostgreSQL numeric without text (see small_numeric.hpp). The constants mirror
// the definitions at the top of PostgreSQL's src/backend/utils/adt/numeric.c.
#include "pg/small_numeric.hpp"

namespace promo::pg {

namespace {

constexpr uint16_t kSignMask = 0xC000;  // NUMERIC_SIGN_MASK
constexpr uint16_t kPositive = 0x0000;  // NUMERIC_POS (long form)
constexpr uint16_t kNegative = 0x4000;  // NUMERIC_NEG (long form)
constexpr uint16_t kShort = 0x8000;     // NUMERIC_SHORT
constexpr uint16_t kShortSign = 0x2000;
constexpr uint16_t kShortDscaleMask = 0x1F80;
constexpr uint16_t kShortWeightSign = 0x0040;
constexpr uint16_t kShortWeightMask = 0x003F;
constexpr uint16_t kLongDscaleMask = 0x3FFF;
constexpr int64_t kBase = 10000;  // NBASE
// Weight 3 = four base-10,000 digits before the point: magnitudes below 10^16 fit int64.
constexpr int kMaxWeight = 3;

}  // namespace

std::optional<int64_t> small_numeric_integer(Numeric number) noexcept {
  const char* raw = reinterpret_cast<const char*>(number);
  if (!VARATT_IS_4B_U(raw)) return std::nullopt;  // compressed or 1-byte header: not expected
  const size_t size = VARSIZE(raw);
  if (size < VARHDRSZ + sizeof(uint16_t)) return std::nullopt;
  uint16_t header;
  memcpy(&header, raw + VARHDRSZ, sizeof header);
  bool negative;
  int weight;
  size_t digits_offset;
  if ((header & kSignMask) == kShort) {
    if ((header & kShortDscaleMask) != 0) return std::nullopt;
    negative = (header & kShortSign) != 0;
    weight = (header & kShortWeightSign) ? static_cast<int>(header & kShortWeightMask) - 64
                                         : static_cast<int>(header & kShortWeightMask);
    digits_offset = VARHDRSZ + sizeof(uint16_t);
  } else if ((header & kSignMask) == kPositive || (header & kSignMask) == kNegative) {
    if ((header & kLongDscaleMask) != 0 || size < VARHDRSZ + 2 * sizeof(uint16_t)) {
      return std::nullopt;
    }
    negative = (header & kSignMask) == kNegative;
    int16_t long_weight;
    memcpy(&long_weight, raw + VARHDRSZ + sizeof(uint16_t), sizeof long_weight);
    weight = long_weight;
    digits_offset = VARHDRSZ + 2 * sizeof(uint16_t);
  } else {
    return std::nullopt;  // NaN, +-Infinity
  }
  const size_t digit_count = (size - digits_offset) / sizeof(int16_t);
  if (digit_count == 0) {
    if (negative) return std::nullopt;  // "-0" is never produced; leave it to numeric_out
    return 0;
  }
  // Integer digits only: the last digit must not lie after the decimal point.
  if (weight > kMaxWeight || static_cast<int>(digit_count) - 1 > weight) return std::nullopt;
  int64_t value = 0;
  for (size_t i = 0; i < digit_count; ++i) {
    int16_t digit;
    memcpy(&digit, raw + digits_offset + i * sizeof digit, sizeof digit);
    if (digit < 0 || digit >= kBase) return std::nullopt;
    value = value * kBase + digit;
  }
  for (int i = static_cast<int>(digit_count) - 1; i < weight; ++i) value *= kBase;
  return negative ? -value : value;
}

Numeric write_small_numeric(int64_t value, void* space) noexcept {
  // Base-10,000 digits, least significant first, of |value| (INT64_MIN included).
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  int16_t reversed[5];
  int count = 0;
  while (magnitude != 0) {
    reversed[count++] = static_cast<int16_t>(magnitude % kBase);
    magnitude /= kBase;
  }
  // make_result drops trailing zero digits; zero has no digits, weight 0 and a positive sign.
  const int weight = count > 0 ? count - 1 : 0;
  int first = 0;
  while (first < count && reversed[first] == 0) ++first;
  const int kept = count - first;
  char* raw = static_cast<char*>(space);
  uint16_t header = static_cast<uint16_t>(kShort | (value < 0 ? kShortSign : 0) |
                                          (static_cast<uint16_t>(weight) & kShortWeightMask));
  memcpy(raw + VARHDRSZ, &header, sizeof header);
  for (int i = 0; i < kept; ++i) {
    memcpy(raw + VARHDRSZ + sizeof header + i * sizeof(int16_t), &reversed[count - 1 - i],
           sizeof(int16_t));
  }
  SET_VARSIZE(raw, VARHDRSZ + sizeof header + kept * sizeof(int16_t));
  return reinterpret_cast<Numeric>(raw);
}

}  // namespace promo::pg
