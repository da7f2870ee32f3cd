// promo's time zone (promo.settings.timezone) and the per-zone Calendar cache (see
// zone_calendar.hpp).
//
// The offset history is read with pg_localtime (the offset in force at the start) and
// pg_next_dst_boundary (each later change), from 1899 to 2201: the supported range of event
// times (1900..2200) plus a year of margin for calendar arithmetic on either side. Outside it
// the nearest offset stays in force.
#include <map>

#include "core/calendar.hpp"
#include "core/error.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/zone_calendar.hpp"

extern "C" {
#include "pgtime.h"
#include "utils/guc.h"
}

namespace promo::pg {

namespace {

constexpr pg_time_t kFirstSecond = -2240524800;  // 1899-01-01 00:00:00 UTC
constexpr pg_time_t kLastSecond = 7289654400;    // 2201-01-01 00:00:00 UTC

// Calendars by zone name, owned by a never-destroyed heap object.
std::map<std::string, std::shared_ptr<const promo::Calendar>>& calendars() {
  static auto* cache = new std::map<std::string, std::shared_ptr<const promo::Calendar>>();
  return *cache;
}

// The zone cache. Plain values only (no static destructors): see definition_cache.cpp.
bool zone_stale = true;
bool zone_built_in_transaction = false;
Oid cached_settings_relid = InvalidOid;

std::string& cached_zone_name() {
  static auto* name = new std::string();
  return *name;
}

// promo.settings.timezone with the latest snapshot (catalog-like, as the segment cache reads
// definitions), plus this transaction's own change. 'UTC' if the row is missing.
std::string read_latest_zone_name() {
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  // On an error SPI is cleaned up by the abort that the error leads to.
  const char* name = pg_guard([]() -> const char* {
    PushActiveSnapshot(GetLatestSnapshot());
    int status = SPI_execute("SELECT timezone FROM promo.settings", true, 0);
    PopActiveSnapshot();
    if (status != SPI_OK_SELECT) elog(ERROR, "promo: reading promo.settings failed: %d", status);
    if (SPI_processed == 0) return nullptr;
    char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    return value != nullptr ? MemoryContextStrdup(TopTransactionContext, value) : nullptr;
  });
  std::string result = name != nullptr ? name : "UTC";
  pg_guard([] { SPI_finish(); });
  return result;
}

// The offset history of `zone` over the supported range. Pure C calls that cannot raise.
std::vector<promo::OffsetTransition> offset_history(const pg_tz* zone) {
  std::vector<promo::OffsetTransition> transitions;
  pg_time_t start = kFirstSecond;
  struct pg_tm* first = pg_localtime(&start, zone);
  int32_t offset = first != nullptr ? static_cast<int32_t>(first->tm_gmtoff) : 0;
  transitions.push_back({promo::kMinusInfinity, offset});
  pg_time_t at = start;
  while (at < kLastSecond) {
    long before_offset = 0, after_offset = 0;
    int before_dst = 0, after_dst = 0;
    pg_time_t boundary = 0;
    int found = pg_next_dst_boundary(&at, &before_offset, &before_dst, &boundary, &after_offset,
                                     &after_dst, zone);
    if (found != 1 || boundary <= at) break;
    if (static_cast<int32_t>(after_offset) != offset) {
      offset = static_cast<int32_t>(after_offset);
      transitions.push_back({boundary * promo::kMicrosPerSecond, offset});
    }
    at = boundary;
  }
  return transitions;
}

}  // namespace

void define_timezone_setting() {
  // The zone is no setting any more (one zone per database, in promo.settings): the prefix
  // stays reserved, so "SET promo.timezone" fails instead of creating a placeholder that
  // nothing reads.
  MarkGUCPrefixReserved("promo");
}

std::optional<std::string> check_zone_name(const std::string& name) {
  const char* text = name.c_str();
  bool acceptable = pg_guard([text] {
    pg_tz* zone = pg_tzset(text);
    return zone != nullptr && pg_tz_acceptable(zone);
  });
  if (!acceptable) return std::nullopt;
  return name;
}

std::string current_zone_name() {
  pg_guard([] { AcceptInvalidationMessages(); });
  if (!zone_stale && !cached_zone_name().empty()) return cached_zone_name();
  cached_settings_relid = pg_guard([] {
    Oid schema = get_namespace_oid("promo", false);
    return get_relname_relid("settings", schema);
  });
  zone_stale = false;
  try {
    cached_zone_name() = read_latest_zone_name();
    zone_built_in_transaction = true;
  } catch (...) {
    zone_stale = true;
    throw;
  }
  return cached_zone_name();
}

void note_zone_invalidation(Oid relid) noexcept {
  if (relid == InvalidOid || relid == cached_settings_relid) zone_stale = true;
}

void mark_zone_stale() noexcept {
  zone_stale = true;
}

void note_zone_transaction_committed() noexcept {
  zone_built_in_transaction = false;
}

void note_zone_transaction_aborted() noexcept {
  if (zone_built_in_transaction) zone_stale = true;
  zone_built_in_transaction = false;
}

void note_zone_subtransaction_aborted() noexcept {
  if (zone_built_in_transaction) zone_stale = true;
}

std::shared_ptr<const promo::Calendar> current_calendar() {
  std::string zone_name = current_zone_name();
  const char* name = zone_name.c_str();
  auto& cache = calendars();
  auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  pg_tz* zone = pg_guard([name] { return pg_tzset(name); });
  if (zone == nullptr) {
    throw promo::Error(promo::sqlstate::kInvalidParameterValue,
                       std::string("promo.settings: unknown time zone '") + name + "'");
  }
  auto calendar = std::make_shared<const promo::Calendar>(name, offset_history(zone));
  cache.emplace(name, calendar);
  return calendar;
}

}  // namespace promo::pg
