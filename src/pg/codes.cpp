// promo.random_codes(count integer, prefix text DEFAULT '', length integer DEFAULT 8)
//   RETURNS text[]
//
// Candidate coupon codes for promo.generate_codes() and promo.referral_code(): the normalised
// prefix (trimmed, upper-cased; only A-Z, 0-9, '-' and '_' allowed, so a code always passes the
// promo.codes check) followed by `length` characters of an alphabet without look-alikes
// (no 0/O, 1/I/L): 23456789ABCDEFGHJKLMNPQRSTUVWXYZ. The alphabet has 32 characters, so each one
// takes the low 5 bits of one byte from pg_strong_random (the OS's cryptographic source):
// uniform, no modulo bias. 8 characters give 2^40 possibilities per prefix. Uniqueness is the
// caller's job (INSERT ... ON CONFLICT DO NOTHING, then draw again).
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace {

constexpr char kAlphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
static_assert(sizeof(kAlphabet) - 1 == 32, "5 bits per character");
constexpr int kMinLength = 6;
constexpr int kMaxLength = 32;
constexpr int kMaxPrefix = 32;
constexpr int kMaxCount = 10000000;

// Whether `prefix` (normalised) is made of code characters only.
bool valid_prefix(const std::string& prefix) {
  for (char c : prefix) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return prefix.size() <= kMaxPrefix;
}

// Builds the text[] of `count` codes. C style: runs under pg_guard.
Datum build_codes(const char* prefix, int prefix_length, int count, int length) {
  const int code_length = prefix_length + length;
  Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
  constexpr int kBatch = 4096;
  unsigned char random[kBatch];
  int available = 0;
  int next = 0;
  char* buffer = static_cast<char*>(palloc(code_length + 1));
  memcpy(buffer, prefix, prefix_length);
  for (int i = 0; i < count; ++i) {
    if ((i & 1023) == 0) CHECK_FOR_INTERRUPTS();
    for (int k = 0; k < length; ++k) {
      if (next == available) {
        if (!pg_strong_random(random, kBatch)) {
          ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
                          errmsg("could not generate random codes: no strong random source")));
        }
        available = kBatch;
        next = 0;
      }
      buffer[prefix_length + k] = kAlphabet[random[next++] & 31];
    }
    elements[i] = PointerGetDatum(cstring_to_text_with_len(buffer, code_length));
  }
  return PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
}

// The C++ body: validates the arguments and builds the array.
Datum random_codes_body(int count, const char* prefix_text, int length) {
  if (count < 0 || count > kMaxCount) {
    throw promo::Error(
        promo::sqlstate::kInvalidParameterValue,
        "count must be in 0.." + std::to_string(kMaxCount) + ", got " + std::to_string(count));
  }
  if (length < kMinLength || length > kMaxLength) {
    throw promo::Error(promo::sqlstate::kInvalidParameterValue,
                       "length must be in " + std::to_string(kMinLength) + ".." +
                           std::to_string(kMaxLength) + ", got " + std::to_string(length));
  }
  std::string prefix = promo::normalize_code(prefix_text);
  if (!valid_prefix(prefix)) {
    throw promo::Error(promo::sqlstate::kInvalidParameterValue,
                       "prefix must be at most 32 of A-Z, 0-9, - and _, got '" + prefix + "'");
  }
  const char* data = prefix.data();
  int prefix_length = static_cast<int>(prefix.size());
  return promo::pg::pg_guard([data, prefix_length, count, length] {
    return build_codes(data, prefix_length, count, length);
  });
}

}  // namespace

PROMO_PG_FUNCTION(promo_random_codes)

// Entry point (STRICT: no NULL arguments reach it).
Datum promo_random_codes(PG_FUNCTION_ARGS) {
  int32 count = PG_GETARG_INT32(0);
  const char* prefix = text_to_cstring(PG_GETARG_TEXT_PP(1));
  int32 length = PG_GETARG_INT32(2);
  return promo::pg::call_cpp([&] { return random_codes_body(count, prefix, length); });
}
