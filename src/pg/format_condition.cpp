// promo.format_condition(condition text, currency text DEFAULT 'USD') RETURNS text
//
// The canonical text of a tier condition as the engine understands it (lower-case keywords,
// single spaces, minimal parentheses, money with the currency's decimals), or the error the
// definition triggers would raise for it. in_segment() names resolve against promo.segments, so
// the function is STABLE, not IMMUTABLE.
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/segment_cache.hpp"

namespace {

// The C++ body: canonicalises and returns the text datum.
Datum format_condition_body(const char* condition, const char* currency) {
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  std::string canonical = promo::canonical_condition(currency, condition, segments.get());
  const char* data = canonical.data();
  int length = static_cast<int>(canonical.size());
  return PointerGetDatum(
      promo::pg::pg_guard([data, length] { return cstring_to_text_with_len(data, length); }));
}

}  // namespace

PROMO_PG_FUNCTION(promo_format_condition)

// Entry point (STRICT: PostgreSQL never calls it with NULL arguments).
Datum promo_format_condition(PG_FUNCTION_ARGS) {
  const char* condition = text_to_cstring(PG_GETARG_TEXT_PP(0));
  const char* currency = text_to_cstring(PG_GETARG_TEXT_PP(1));
  return promo::pg::call_cpp([&] { return format_condition_body(condition, currency); });
}
