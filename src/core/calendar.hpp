// Calendar arithmetic in the configured time zone (promo.settings, set with promo.set_timezone();
// default UTC): start_of_day/week/month() in rules and the instants at which they change. The
// engine has no time-zone database; the adapter hands it the zone's UTC-offset history (from
// PostgreSQL's own tz data), so the engine stays free of PostgreSQL and is testable with any
// offsets.
#pragma once
#include "core/cpp_only.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace promo {

// Times are microseconds since the Unix epoch (UTC). These two stand for -infinity/+infinity.
inline constexpr int64_t kMinusInfinity = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kPlusInfinity = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// From `at` (UTC) on, local time = UTC + offset_seconds, until the next transition.
struct OffsetTransition {
  int64_t at = kMinusInfinity;
  int32_t offset_seconds = 0;
};

class Calendar {
 public:
  // UTC.
  Calendar();
  // `transitions` sorted by `at`, the first one at kMinusInfinity. `zone` is for messages only.
  Calendar(std::string zone, std::vector<OffsetTransition> transitions);

  const std::string& zone() const { return zone_; }
  int32_t offset_at(int64_t utc) const;

  // Local midnight of the day / Monday of the week / first day of the month containing `t`,
  // as a UTC instant. When local midnight does not exist (a DST gap), the first instant of
  // that local day.
  int64_t start_of_day(int64_t t) const;
  int64_t start_of_week(int64_t t) const;
  int64_t start_of_month(int64_t t) const;
  // The next such boundary strictly after `t`.
  int64_t next_day(int64_t t) const;
  int64_t next_week(int64_t t) const;
  int64_t next_month(int64_t t) const;

 private:
  std::string zone_;
  std::vector<OffsetTransition> transitions_;
  // local_max_before_[i]: the largest local time (µs) reached before transitions_[i].at; makes
  // start_of_*() non-decreasing across repeated hours (see calendar.cpp).
  std::vector<__int128> local_max_before_;
};

}  // namespace promo
