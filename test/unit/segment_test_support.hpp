// Helpers shared by the segment and engine tests: UTC instants from calendar dates, customers
// with event histories, and a time zone with daylight saving time built from offset lists.
#pragma once
#include "core/calendar.hpp"
#include "core/customer.hpp"
#include "core/segments.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace promo::testing {

inline constexpr int64_t kMinute = 60 * kMicrosPerSecond;
inline constexpr int64_t kHour = 60 * kMinute;
inline constexpr int64_t kDay = kMicrosPerDay;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
inline int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The UTC instant of a date and time, in microseconds since the Unix epoch.
inline int64_t utc(int64_t y, int64_t m, int64_t d, int64_t hour = 0, int64_t minute = 0) {
  return days_from_civil(y, m, d) * kDay + hour * kHour + minute * kMinute;
}

// A customer with the given sign-up time and history (type -> occurred_at times, any order).
inline CustomerFacts customer(std::optional<int64_t> signed_up_at,
                              std::map<std::string, std::vector<int64_t>> history = {},
                              std::string id = "alice") {
  CustomerFacts facts;
  facts.customer_id = std::move(id);
  facts.signed_up_at = signed_up_at;
  for (auto& [type, times] : history) {
    std::sort(times.begin(), times.end());
    facts.events.emplace_back(type, times);  // std::map iterates in key order
  }
  return facts;
}

// Central European time in 2026: UTC+1, UTC+2 from 2026-03-29 01:00 UTC, UTC+1 again from
// 2026-10-25 01:00 UTC.
inline Calendar warsaw_2026() {
  return Calendar(
      "Europe/Warsaw",
      {{kMinusInfinity, 3600}, {utc(2026, 3, 29, 1), 7200}, {utc(2026, 10, 25, 1), 3600}});
}

// The five segments of the product's contract (api.md), in an order that is not topological.
inline std::vector<SegmentDefinition> contract_segments() {
  return {
      {"abandoned-2-days",
       "last('cart_abandoned') > last('order_placed') and last('cart_abandoned') <= now() - "
       "'2 days'"},
      {"abandoned-cart", "last('cart_abandoned') > last('order_placed')"},
      {"new-this-week", "signed_up_at >= start_of_week()"},
      {"redeemed-this-month", "count('coupon_redeemed', since => start_of_month()) >= 1"},
      {"referrers", "count('referral_completed') >= 1"},
  };
}

}  // namespace promo::testing
