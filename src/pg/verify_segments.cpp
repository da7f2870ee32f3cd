// promo.verify_segments() RETURNS TABLE (segment, customer_id, problem, expected, stored)
//
// Recomputes the membership of every segment for every customer promo knows, from scratch,
// with the caller's snapshot, and returns each (segment, customer) whose stored intervals
// differ: problem 'missing' (nothing stored), 'unexpected' (nothing expected) or 'different';
// plus stored rows of segments that no longer exist ('unknown segment'). Intervals are shown
// as "[from, until)" in the session's time zone, joined with ", ". Empty when all is right.
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"
#include "pg/segment_cache.hpp"
#include "pg/segment_maintenance.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"
}

namespace {

// "[from, until), [from, until)" for a list of intervals. C++; timestamps formatted under
// pg_guard.
std::string describe(const std::vector<promo::Interval>& intervals) {
  std::string text;
  for (const promo::Interval& interval : intervals) {
    TimestampTz from = promo::pg::postgres_time(interval.from);
    TimestampTz until = promo::pg::postgres_time(interval.until);
    char* from_text = promo::pg::pg_guard([from] {
      return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(from)));
    });
    char* until_text = promo::pg::pg_guard([until] {
      return DatumGetCString(DirectFunctionCall1(timestamptz_out, TimestampTzGetDatum(until)));
    });
    if (!text.empty()) text += ", ";
    text += std::string("[") + from_text + ", " + until_text + ")";
  }
  return text;
}

// Appends one result row. C style (runs under pg_guard).
void put_row(ReturnSetInfo* result, const char* segment, const char* customer, const char* problem,
             const char* expected, const char* stored) {
  Datum values[5];
  bool nulls[5] = {false, customer == nullptr, false, expected == nullptr, stored == nullptr};
  values[0] = CStringGetTextDatum(segment);
  values[1] = customer != nullptr ? CStringGetTextDatum(customer) : (Datum)0;
  values[2] = CStringGetTextDatum(problem);
  values[3] = expected != nullptr ? CStringGetTextDatum(expected) : (Datum)0;
  values[4] = stored != nullptr ? CStringGetTextDatum(stored) : (Datum)0;
  tuplestore_putvalues(result->setResult, result->setDesc, values, nulls);
}

// The C++ body: compare, then write the rows.
void verify(ReturnSetInfo* result) {
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  std::vector<uint32_t> ids = promo::pg::all_segment_ids(*segments);
  std::vector<std::string> customers = promo::pg::all_known_customers(true);
  std::vector<promo::pg::MembershipDifference> differences =
      promo::pg::compare_membership(*segments, ids, customers);
  for (const promo::pg::MembershipDifference& difference : differences) {
    const char* problem = difference.stored.empty()     ? "missing"
                          : difference.expected.empty() ? "unexpected"
                                                        : "different";
    std::string expected = describe(difference.expected);
    std::string stored = describe(difference.stored);
    const char* segment = difference.segment.c_str();
    const char* customer = difference.customer_id.c_str();
    const char* expected_text = difference.expected.empty() ? nullptr : expected.c_str();
    const char* stored_text = difference.stored.empty() ? nullptr : stored.c_str();
    promo::pg::pg_guard(
        [=] { put_row(result, segment, customer, problem, expected_text, stored_text); });
  }
  std::vector<std::string> names;
  for (uint32_t id : ids) names.push_back(segments->name(id));
  for (const std::string& name : promo::pg::stale_membership_segments(names)) {
    const char* segment = name.c_str();
    promo::pg::pg_guard([=] {
      put_row(result, segment, nullptr, "unknown segment", nullptr, "stored membership");
    });
  }
}

}  // namespace

PROMO_PG_FUNCTION(promo_verify_segments)

// Entry point: a materialized set-returning function.
Datum promo_verify_segments(PG_FUNCTION_ARGS) {
  InitMaterializedSRF(fcinfo, 0);
  ReturnSetInfo* result = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  promo::pg::call_cpp([result] {
    verify(result);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  return (Datum)0;
}
