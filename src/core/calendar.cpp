// Calendar arithmetic over a UTC-offset history; see calendar.hpp.
//
// Local wall time can jump forward (a DST gap) or back (a repeated hour). Rules need
// start_of_day/week/month(now) to be a NON-DECREASING step function of now, so that the
// instants at which a comparison with it changes can be enumerated (rule critical times). We
// therefore read the calendar on the "running maximum" of the local clock,
//   M(t) = max over u <= t of (u + offset_at(u)),
// which equals the wall clock except inside a repeated period, where it stays put until the
// wall clock catches up. The day (week, month) of t is the local day of M(t); its start is the
// first UTC instant u with M(u) >= local midnight of that day. So:
//   - in the common case the start is plain local midnight converted with the offset in force;
//   - when local midnight falls in a gap, the start is the first instant of that local day (the
//     transition instant), as calendar.hpp promises;
//   - when the clock falls back across midnight (e.g. 00:00 -> 23:00 of the previous day), the
//     repeated hour still belongs to the new day: a day never "starts again".
// All arithmetic is done in 128 bits and results are clamped to the int64 range, so the
// extremes kMinusInfinity / kPlusInfinity behave: nothing starts before kMinusInfinity and a
// boundary beyond the range is kPlusInfinity. No libc time-zone call is used anywhere.
#include "core/calendar.hpp"

#include <algorithm>

namespace promo {
namespace {

using Wide = __int128;

constexpr Wide kMicrosPerDayWide = kMicrosPerDay;

Wide floor_div(Wide a, Wide b) {
  Wide q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (the days-from-civil construction: count
// in 400-year eras starting on March 1st, so the leap day is the last day of the shifted year).
int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = static_cast<int64_t>(floor_div(year, 400));
  const int64_t year_of_era = year - era * 400;                         // [0, 399]
  const int64_t shifted_month = month > 2 ? month - 3 : month + 9;      // March = 0
  const int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era =
      year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;  // [0, 146096]
  return era * 146097 + day_of_era - 719468;
}

struct CivilDate {
  int64_t year;
  int64_t month;  // 1..12
  int64_t day;    // 1..31
};

// The inverse of days_from_civil.
CivilDate civil_from_days(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = static_cast<int64_t>(floor_div(z, 146097));
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t shifted_month = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const int64_t month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  return CivilDate{year_of_era + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

enum class Unit { kDay, kWeek, kMonth };

// Local day number (days since 1970-01-01 local) of the unit containing local day `day`.
int64_t unit_start_day(int64_t day, Unit unit) {
  switch (unit) {
    case Unit::kDay:
      return day;
    case Unit::kWeek: {
      // 1970-01-01 was a Thursday: Monday-based weekday = (day + 3) mod 7.
      const int64_t weekday = static_cast<int64_t>(day - floor_div(day + 3, 7) * 7 + 3);
      return day - weekday;
    }
    case Unit::kMonth: {
      CivilDate date = civil_from_days(day);
      return days_from_civil(date.year, date.month, 1);
    }
  }
  return day;
}

// The local day number at which the unit after the one starting on `start_day` starts.
int64_t next_unit_day(int64_t start_day, Unit unit) {
  switch (unit) {
    case Unit::kDay:
      return start_day + 1;
    case Unit::kWeek:
      return start_day + 7;
    case Unit::kMonth: {
      CivilDate date = civil_from_days(start_day);
      return date.month == 12 ? days_from_civil(date.year + 1, 1, 1)
                              : days_from_civil(date.year, date.month + 1, 1);
    }
  }
  return start_day + 1;
}

int64_t clamp(Wide value) {
  if (value <= kMinusInfinity) return kMinusInfinity;
  if (value >= kPlusInfinity) return kPlusInfinity;
  return static_cast<int64_t>(value);
}

// before[i]: the largest local time (µs) reached strictly before transitions[i].at.
std::vector<Wide> running_max(const std::vector<OffsetTransition>& transitions) {
  std::vector<Wide> before(transitions.size());
  Wide best = static_cast<Wide>(kMinusInfinity) - 2 * kMicrosPerDayWide;
  for (size_t i = 0; i < transitions.size(); ++i) {
    before[i] = best;
    Wide end = i + 1 < transitions.size() ? static_cast<Wide>(transitions[i + 1].at)
                                          : static_cast<Wide>(kPlusInfinity) + 1;
    best = std::max(best,
                    end - 1 + static_cast<Wide>(transitions[i].offset_seconds) * kMicrosPerSecond);
  }
  return before;
}

}  // namespace

Calendar::Calendar() : Calendar("UTC", {OffsetTransition{kMinusInfinity, 0}}) {}

Calendar::Calendar(std::string zone, std::vector<OffsetTransition> transitions)
    : zone_(std::move(zone)), transitions_(std::move(transitions)) {
  if (transitions_.empty() || transitions_.front().at != kMinusInfinity) {
    int32_t first = transitions_.empty() ? 0 : transitions_.front().offset_seconds;
    transitions_.insert(transitions_.begin(), OffsetTransition{kMinusInfinity, first});
  }
  local_max_before_ = running_max(transitions_);
}

// Binary search for the last transition at or before `utc`.
int32_t Calendar::offset_at(int64_t utc) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                             [](int64_t t, const OffsetTransition& tr) { return t < tr.at; });
  return std::prev(it)->offset_seconds;
}

namespace {

// Shared implementation of start_of_* / next_*: the zone's segments and their running maxima.
class LocalClock {
 public:
  LocalClock(const std::vector<OffsetTransition>& transitions, const std::vector<Wide>& before)
      : transitions_(transitions), before_(before) {}

  // M(t): the running maximum of the local clock at `t`.
  Wide running_local(int64_t t) const {
    size_t i = segment_of(t);
    Wide local = static_cast<Wide>(t) + offset_micros(i);
    return std::max(local, before_[i]);
  }

  // The first UTC instant u with M(u) >= local, or kPlusInfinity when there is none.
  int64_t first_instant(Wide local) const {
    // M at the end of segment i is before_[i + 1] (or the final running maximum).
    size_t n = transitions_.size();
    size_t lo = 0;
    size_t hi = n;  // first segment whose maximum reaches `local`
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      Wide end = mid + 1 < n ? static_cast<Wide>(transitions_[mid + 1].at)
                             : static_cast<Wide>(kPlusInfinity) + 1;
      Wide segment_max = std::max(before_[mid], end - 1 + offset_micros(mid));
      if (segment_max >= local) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (lo == n) return kPlusInfinity;
    Wide u = std::max(static_cast<Wide>(transitions_[lo].at), local - offset_micros(lo));
    return clamp(u);
  }

  int64_t start_of(int64_t t, Unit unit) const {
    Wide day = floor_div(running_local(t), kMicrosPerDayWide);
    return first_instant(static_cast<Wide>(unit_start_day(static_cast<int64_t>(day), unit)) *
                         kMicrosPerDayWide);
  }

  int64_t next(int64_t t, Unit unit) const {
    if (t == kPlusInfinity) return kPlusInfinity;
    Wide day = floor_div(running_local(t), kMicrosPerDayWide);
    int64_t start = unit_start_day(static_cast<int64_t>(day), unit);
    return first_instant(static_cast<Wide>(next_unit_day(start, unit)) * kMicrosPerDayWide);
  }

 private:
  size_t segment_of(int64_t t) const {
    auto it = std::upper_bound(transitions_.begin(), transitions_.end(), t,
                               [](int64_t v, const OffsetTransition& tr) { return v < tr.at; });
    return static_cast<size_t>(std::prev(it) - transitions_.begin());
  }
  Wide offset_micros(size_t i) const {
    return static_cast<Wide>(transitions_[i].offset_seconds) * kMicrosPerSecond;
  }

  const std::vector<OffsetTransition>& transitions_;
  const std::vector<Wide>& before_;
};

}  // namespace

int64_t Calendar::start_of_day(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).start_of(t, Unit::kDay);
}
int64_t Calendar::start_of_week(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).start_of(t, Unit::kWeek);
}
int64_t Calendar::start_of_month(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).start_of(t, Unit::kMonth);
}
int64_t Calendar::next_day(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).next(t, Unit::kDay);
}
int64_t Calendar::next_week(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).next(t, Unit::kWeek);
}
int64_t Calendar::next_month(int64_t t) const {
  return LocalClock(transitions_, local_max_before_).next(t, Unit::kMonth);
}

}  // namespace promo
