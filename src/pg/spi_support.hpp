// Small helpers shared by the adapter files that talk to SPI: plans prepared once per backend,
// arrays built from C++ vectors, text and time values read from result rows, and the
// conversion between the engine's time (µs since the Unix epoch, with ±infinity as the int64
// extremes) and timestamptz.
#pragma once

#include "core/calendar.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// A plan prepared once per backend and kept (SPI_keepplan); `*slot` remembers it. C style:
// call with SPI connected, under pg_guard.
SPIPlanPtr kept_plan(SPIPlanPtr* slot, const char* query, int argument_count,
                     const Oid* argument_types);

// A text[] datum of `values`, palloc'd in the current memory context. Throws PgError.
Datum text_array(const std::vector<std::string>& values);
// A timestamptz[] datum of engine times (±infinity allowed). Throws PgError.
Datum timestamptz_array(const std::vector<int64_t>& times);

// Runs a kept plan (SPI connected) and returns the number of rows; throws PgError, or
// promo::Error(XX000) when the status is not `expected`. read_only = false takes a fresh
// snapshot under READ COMMITTED and makes the statement's own changes visible first.
uint64 run_plan(SPIPlanPtr plan, const Datum* values, bool read_only, int expected);

// Frees the current SPI_tuptable once its rows have been copied (batches would otherwise keep
// every result until SPI_finish).
void free_result();

// The bytes of a text datum from a result row. Inline values are read in place; toasted ones
// are detoasted under pg_guard into the current memory context.
std::string_view text_value(Datum value);

// timestamptz <-> engine time. -infinity/infinity map to kMinusInfinity/kPlusInfinity; an
// engine time outside PostgreSQL's range maps to the infinity on its side.
int64_t engine_time(TimestampTz value);
TimestampTz postgres_time(int64_t value);

// Column `column` (1-based) of result row `row` of the current SPI_tuptable.
inline Datum result_value(uint64 row, int column, bool* is_null) {
  return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, is_null);
}

}  // namespace promo::pg
