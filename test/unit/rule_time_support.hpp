// Test helpers for times: an independent (naive, loop-based) civil-date conversion, and
// synthetic zones: a Warsaw-like one (+1h winter, +2h summer) and a São Paulo-like one whose DST
// starts and ends at local midnight.
#pragma once
#include "core/calendar.hpp"

#include <cstdint>
#include <vector>

namespace promo::rule::testing {

inline bool leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// µs since the epoch of a UTC civil time (years >= 1970), by counting days one month at a time.
inline int64_t utc(int64_t year, int64_t month, int64_t day, int64_t hour = 0, int64_t minute = 0,
                   int64_t second = 0) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days = 0;
  for (int64_t y = 1970; y < year; ++y) days += leap(y) ? 366 : 365;
  for (int64_t m = 1; m < month; ++m) days += kDays[m - 1] + (m == 2 && leap(year) ? 1 : 0);
  days += day - 1;
  return ((days * 24 + hour) * 60 + minute) * 60 * kMicrosPerSecond + second * kMicrosPerSecond;
}

inline constexpr int64_t kHour = 3600 * kMicrosPerSecond;

// +1h in winter, +2h in summer, switching at 01:00 UTC on the last Sundays of March and October
// (2025..2029 spelled out).
inline Calendar warsaw() {
  std::vector<OffsetTransition> t{{kMinusInfinity, 3600}};
  const int64_t spring[][3] = {
      {2025, 3, 30}, {2026, 3, 29}, {2027, 3, 28}, {2028, 3, 26}, {2029, 3, 25}};
  const int64_t autumn[][3] = {
      {2025, 10, 26}, {2026, 10, 25}, {2027, 10, 31}, {2028, 10, 29}, {2029, 10, 28}};
  for (int i = 0; i < 5; ++i) {
    t.push_back({utc(spring[i][0], spring[i][1], spring[i][2], 1), 7200});
    t.push_back({utc(autumn[i][0], autumn[i][1], autumn[i][2], 1), 3600});
  }
  return Calendar("Europe/Warsaw", t);
}

// -3h standard time; DST (-2h) starts at local midnight 2026-11-01 (00:00 -> 01:00, at 03:00
// UTC) and ends at local midnight 2027-02-21 (00:00 -> 23:00 of the 20th, at 02:00 UTC).
inline Calendar sao_paulo() {
  return Calendar("America/Sao_Paulo", {{kMinusInfinity, -3 * 3600},
                                        {utc(2026, 11, 1, 3), -2 * 3600},
                                        {utc(2027, 2, 21, 2), -3 * 3600}});
}

}  // namespace promo::rule::testing
