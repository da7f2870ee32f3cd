// Conversion between PostgreSQL timestamptz (microseconds since 2000-01-01) and the engine's
// time (microseconds since the Unix epoch).
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01 00:00:00 UTC).
inline constexpr int64_t kPostgresEpochOffsetMicros =
    int64_t{POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE} * USECS_PER_DAY;

// A finite timestamptz as Unix-epoch microseconds; nullopt when it does not fit int64 (only
// possible within a few thousand years of PostgreSQL's upper limit) or is infinite.
inline std::optional<int64_t> to_unix_micros(TimestampTz value) {
  if (TIMESTAMP_NOT_FINITE(value)) return std::nullopt;
  int64_t result = 0;
  if (__builtin_add_overflow(value, kPostgresEpochOffsetMicros, &result)) return std::nullopt;
  return result;
}

}  // namespace promo::pg
