// promo.timezone and the per-zone Calendar cache (see zone_calendar.hpp).
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

char* timezone_setting = nullptr;

constexpr pg_time_t kFirstSecond = -2240524800;  // 1899-01-01 00:00:00 UTC
constexpr pg_time_t kLastSecond = 7289654400;    // 2201-01-01 00:00:00 UTC

// Calendars by zone name, owned by a never-destroyed heap object.
std::map<std::string, std::shared_ptr<const promo::Calendar>>& calendars() {
  static auto* cache = new std::map<std::string, std::shared_ptr<const promo::Calendar>>();
  return *cache;
}

// GUC check hook: the value must name a time zone PostgreSQL knows (and accepts: no leap
// seconds). Never raises; reports through GUC_check_errdetail.
bool check_timezone(char** new_value, void**, GucSource) {
  if (*new_value == nullptr) return false;
  pg_tz* zone = pg_tzset(*new_value);
  if (zone == nullptr || !pg_tz_acceptable(zone)) {
    GUC_check_errmsg("invalid value for promo.timezone: \"%s\"", *new_value);
    GUC_check_errdetail("It is not a time zone PostgreSQL knows (see pg_timezone_names).");
    return false;
  }
  return true;
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
  DefineCustomStringVariable(
      "promo.timezone",
      "Time zone of start_of_day(), start_of_week() and start_of_month() in promo's rules.",
      "Any PostgreSQL time zone name. Segment membership is computed in it: set it once per "
      "database (ALTER DATABASE ... SET promo.timezone) and re-save the segments after a change.",
      &timezone_setting, "UTC", PGC_USERSET, 0, check_timezone, nullptr, nullptr);
  MarkGUCPrefixReserved("promo");
}

std::shared_ptr<const promo::Calendar> current_calendar() {
  const char* name = timezone_setting != nullptr ? timezone_setting : "UTC";
  auto& cache = calendars();
  auto found = cache.find(name);
  if (found != cache.end()) return found->second;
  pg_tz* zone = pg_guard([name] { return pg_tzset(name); });
  if (zone == nullptr) {
    throw promo::Error(promo::sqlstate::kInvalidParameterValue,
                       std::string("promo.timezone: unknown time zone '") + name + "'");
  }
  auto calendar = std::make_shared<const promo::Calendar>(name, offset_history(zone));
  cache.emplace(name, calendar);
  return calendar;
}

}  // namespace promo::pg
