// SPI helpers (see spi_support.hpp).
#include "core/calendar.hpp"
#include "core/error.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/spi_support.hpp"
#include "pg/timestamps.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
}

namespace promo::pg {

SPIPlanPtr kept_plan(SPIPlanPtr* slot, const char* query, int argument_count,
                     const Oid* argument_types) {
  if (*slot != nullptr) return *slot;
  // Always the generic plan: promo's queries are short index lookups whose best plan does not
  // depend on the values, and a custom plan would be planned afresh on every call.
  SPIPlanPtr plan = SPI_prepare_cursor(query, argument_count, const_cast<Oid*>(argument_types),
                                       CURSOR_OPT_GENERIC_PLAN);
  if (plan == nullptr) {
    elog(ERROR, "promo: preparing \"%s\" failed: %s", query, SPI_result_code_string(SPI_result));
  }
  if (SPI_keepplan(plan) != 0) elog(ERROR, "promo: SPI_keepplan failed");
  *slot = plan;
  return plan;
}

Datum text_array(const std::vector<std::string>& values) {
  const std::string* data = values.data();
  int count = static_cast<int>(values.size());
  return pg_guard([data, count] {
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
    for (int i = 0; i < count; ++i) {
      elements[i] = PointerGetDatum(
          cstring_to_text_with_len(data[i].data(), static_cast<int>(data[i].size())));
    }
    return PointerGetDatum(construct_array(elements, count, TEXTOID, -1, false, TYPALIGN_INT));
  });
}

Datum timestamptz_array(const std::vector<int64_t>& times) {
  const int64_t* data = times.data();
  int count = static_cast<int>(times.size());
  return pg_guard([data, count] {
    Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
    for (int i = 0; i < count; ++i) elements[i] = TimestampTzGetDatum(postgres_time(data[i]));
    return PointerGetDatum(construct_array(elements, count, TIMESTAMPTZOID, sizeof(TimestampTz),
                                           FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
  });
}

uint64 run_plan(SPIPlanPtr plan, const Datum* values, bool read_only, int expected) {
  int status = pg_guard([plan, values, read_only] {
    return SPI_execute_plan(plan, const_cast<Datum*>(values), nullptr, read_only, 0);
  });
  if (status != expected) {
    throw promo::Error(
        promo::sqlstate::kInternalError,
        std::string("promo: internal query failed: ") + SPI_result_code_string(status));
  }
  return SPI_processed;
}

void free_result() {
  pg_guard([] {
    if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
  });
}

std::string_view text_value(Datum value) {
  struct varlena* pointer = reinterpret_cast<struct varlena*>(DatumGetPointer(value));
  if (VARATT_IS_EXTERNAL(pointer) || VARATT_IS_COMPRESSED(pointer)) {
    pointer = pg_guard([pointer] { return pg_detoast_datum_packed(pointer); });
  }
  return std::string_view(VARDATA_ANY(pointer), VARSIZE_ANY_EXHDR(pointer));
}

int64_t engine_time(TimestampTz value) {
  if (TIMESTAMP_IS_NOBEGIN(value)) return promo::kMinusInfinity;
  if (TIMESTAMP_IS_NOEND(value)) return promo::kPlusInfinity;
  std::optional<int64_t> micros = to_unix_micros(value);
  if (micros) return *micros;
  return value < 0 ? promo::kMinusInfinity : promo::kPlusInfinity;
}

TimestampTz postgres_time(int64_t value) {
  TimestampTz result = 0;
  if (value == promo::kMinusInfinity) return DT_NOBEGIN;
  if (value == promo::kPlusInfinity) return DT_NOEND;
  if (__builtin_sub_overflow(value, kPostgresEpochOffsetMicros, &result)) {
    return value < 0 ? DT_NOBEGIN : DT_NOEND;
  }
  if (result < MIN_TIMESTAMP) return DT_NOBEGIN;
  if (result >= END_TIMESTAMP) return DT_NOEND;
  return result;
}

}  // namespace promo::pg
