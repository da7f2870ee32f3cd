// Calendar: offsets, day/week/month starts and the next boundaries, in UTC and in zones with
// DST (including gaps and repeated hours at local midnight), and at the int64 extremes.
#include "core/calendar.hpp"

#include "rule_time_support.hpp"

#include <gtest/gtest.h>

#include <random>

namespace promo {
namespace {

using rule::testing::kHour;
using rule::testing::sao_paulo;
using rule::testing::utc;
using rule::testing::warsaw;

TEST(Calendar, UtcByDefault) {
  Calendar c;
  EXPECT_EQ(c.zone(), "UTC");
  EXPECT_EQ(c.offset_at(utc(2026, 7, 1)), 0);
  int64_t wed = utc(2026, 11, 25, 10);  // a Wednesday
  EXPECT_EQ(c.start_of_day(wed), utc(2026, 11, 25));
  EXPECT_EQ(c.start_of_week(wed), utc(2026, 11, 23));
  EXPECT_EQ(c.start_of_month(wed), utc(2026, 11, 1));
  EXPECT_EQ(c.next_day(wed), utc(2026, 11, 26));
  EXPECT_EQ(c.next_week(wed), utc(2026, 11, 30));
  EXPECT_EQ(c.next_month(wed), utc(2026, 12, 1));
  EXPECT_EQ(c.next_month(utc(2026, 12, 31, 23)), utc(2027, 1, 1));
}

TEST(Calendar, BoundariesAreInclusiveStartsAndStrictNexts) {
  Calendar c;
  int64_t monday = utc(2026, 11, 30);
  EXPECT_EQ(c.start_of_week(monday), monday);
  EXPECT_EQ(c.start_of_week(monday - 1), utc(2026, 11, 23));
  EXPECT_EQ(c.next_week(monday - 1), monday);
  EXPECT_EQ(c.next_week(monday), utc(2026, 12, 7));
  EXPECT_EQ(c.start_of_day(monday - 1), utc(2026, 11, 29));
  EXPECT_EQ(c.next_day(monday), utc(2026, 12, 1));
}

TEST(Calendar, LeapDayMonthStarts) {
  Calendar c;
  EXPECT_EQ(c.start_of_month(utc(2028, 2, 29, 12)), utc(2028, 2, 1));
  EXPECT_EQ(c.next_month(utc(2028, 2, 29, 12)), utc(2028, 3, 1));
  EXPECT_EQ(c.next_day(utc(2028, 2, 28, 12)), utc(2028, 2, 29));
  EXPECT_EQ(c.next_month(utc(2027, 2, 28, 12)), utc(2027, 3, 1));
  EXPECT_EQ(c.start_of_week(utc(2028, 3, 1)), utc(2028, 2, 28));  // Monday 2028-02-28
  EXPECT_EQ(c.start_of_month(utc(2000, 2, 29)), utc(2000, 2, 1));
  EXPECT_EQ(c.next_month(utc(2100, 2, 28)), utc(2100, 3, 1));  // 2100 is not a leap year
}

TEST(Calendar, WarsawOffsetsAndDayStarts) {
  Calendar c = warsaw();
  EXPECT_EQ(c.offset_at(utc(2026, 1, 15)), 3600);
  EXPECT_EQ(c.offset_at(utc(2026, 3, 29, 1) - 1), 3600);
  EXPECT_EQ(c.offset_at(utc(2026, 3, 29, 1)), 7200);
  EXPECT_EQ(c.offset_at(utc(2026, 10, 25, 1)), 3600);
  // Winter: local midnight is 23:00 UTC the day before; summer: 22:00 UTC.
  EXPECT_EQ(c.start_of_day(utc(2026, 1, 15, 12)), utc(2026, 1, 14, 23));
  EXPECT_EQ(c.start_of_day(utc(2026, 7, 15, 12)), utc(2026, 7, 14, 22));
  EXPECT_EQ(c.start_of_day(utc(2026, 7, 14, 22)), utc(2026, 7, 14, 22));
  EXPECT_EQ(c.start_of_day(utc(2026, 7, 14, 22) - 1), utc(2026, 7, 13, 22));
  // The spring-forward Sunday: midnight at +1h, the following midnight at +2h (a 23-hour day).
  EXPECT_EQ(c.start_of_day(utc(2026, 3, 29, 12)), utc(2026, 3, 28, 23));
  EXPECT_EQ(c.next_day(utc(2026, 3, 29, 12)), utc(2026, 3, 29, 22));
  // The fall-back Sunday is 25 hours long.
  EXPECT_EQ(c.start_of_day(utc(2026, 10, 25, 12)), utc(2026, 10, 24, 22));
  EXPECT_EQ(c.next_day(utc(2026, 10, 25, 0)), utc(2026, 10, 25, 23));
}

TEST(Calendar, WarsawWeekAndMonthStartAcrossDst) {
  Calendar c = warsaw();
  // Monday 2026-03-30 00:00 local (+2h) = Sunday 22:00 UTC; the week before began at +1h.
  EXPECT_EQ(c.start_of_week(utc(2026, 3, 31, 12)), utc(2026, 3, 29, 22));
  EXPECT_EQ(c.start_of_week(utc(2026, 3, 29, 21)), utc(2026, 3, 22, 23));
  EXPECT_EQ(c.next_week(utc(2026, 3, 29, 12)), utc(2026, 3, 29, 22));
  // Week of the autumn change: Monday 2026-10-19 (+2h) -> next Monday 2026-10-26 (+1h).
  EXPECT_EQ(c.start_of_week(utc(2026, 10, 25, 12)), utc(2026, 10, 18, 22));
  EXPECT_EQ(c.next_week(utc(2026, 10, 25, 12)), utc(2026, 10, 25, 23));
  // Month: April starts at +2h, November at +1h.
  EXPECT_EQ(c.start_of_month(utc(2026, 4, 10)), utc(2026, 3, 31, 22));
  EXPECT_EQ(c.next_month(utc(2026, 10, 10)), utc(2026, 10, 31, 23));
  // 2026-11-30 23:30 UTC is already December locally.
  EXPECT_EQ(c.start_of_month(utc(2026, 11, 30, 23, 30)), utc(2026, 11, 30, 23));
}

TEST(Calendar, MidnightGapStartsTheDayAtTheTransition) {
  Calendar c = sao_paulo();
  int64_t gap = utc(2026, 11, 1, 3);  // local 00:00 does not exist; 01:00 -02 follows 23:59:59 -03
  EXPECT_EQ(c.start_of_day(gap), gap);
  EXPECT_EQ(c.start_of_day(gap + kHour), gap);
  EXPECT_EQ(c.start_of_day(gap - 1), utc(2026, 10, 31, 3));
  EXPECT_EQ(c.next_day(gap - 1), gap);
  EXPECT_EQ(c.next_day(gap), utc(2026, 11, 2, 2));
  EXPECT_EQ(c.start_of_month(utc(2026, 11, 15)), gap);  // November starts in the gap too
  EXPECT_EQ(c.next_month(utc(2026, 10, 15)), gap);
}

TEST(Calendar, MidnightFallBack) {
  Calendar c = sao_paulo();
  // 2027-02-21 02:00 UTC: at -2h that would be midnight, but the clock goes back to 23:00 of the
  // 20th instead, so the 21st starts at 03:00 UTC (-3h).
  int64_t fall_back = utc(2027, 2, 21, 2);
  EXPECT_EQ(c.start_of_day(fall_back - 1), utc(2027, 2, 20, 2));
  EXPECT_EQ(c.start_of_day(fall_back), utc(2027, 2, 20, 2));
  EXPECT_EQ(c.next_day(fall_back - 1), utc(2027, 2, 21, 3));
  EXPECT_EQ(c.start_of_day(utc(2027, 2, 21, 3)), utc(2027, 2, 21, 3));
}

TEST(Calendar, FallBackAcrossMidnightDoesNotRestartTheDay) {
  // -2h until 02:30 UTC (local 00:30 of the 21st), then -3h (local 23:30 of the 20th again).
  Calendar c("Test/Repeat", {{kMinusInfinity, -2 * 3600}, {utc(2027, 2, 21, 2, 30), -3 * 3600}});
  int64_t midnight = utc(2027, 2, 21, 2);
  EXPECT_EQ(c.start_of_day(midnight - 1), utc(2027, 2, 20, 2));
  EXPECT_EQ(c.start_of_day(midnight), midnight);
  // The repeated half hour (23:30-24:00 of the 20th on the wall) still belongs to the 21st.
  EXPECT_EQ(c.start_of_day(utc(2027, 2, 21, 2, 45)), midnight);
  EXPECT_EQ(c.start_of_day(utc(2027, 2, 21, 3, 15)), midnight);
  EXPECT_EQ(c.next_day(midnight - 1), midnight);
  EXPECT_EQ(c.next_day(midnight), utc(2027, 2, 22, 3));
  EXPECT_EQ(c.next_day(utc(2027, 2, 21, 2, 45)), utc(2027, 2, 22, 3));
}

TEST(Calendar, ExtremesClamp) {
  Calendar c = warsaw();
  EXPECT_EQ(c.start_of_day(kMinusInfinity), kMinusInfinity);
  EXPECT_EQ(c.start_of_month(kMinusInfinity + 1), kMinusInfinity);
  EXPECT_EQ(c.next_day(kPlusInfinity), kPlusInfinity);
  EXPECT_EQ(c.next_month(kPlusInfinity - 1), kPlusInfinity);
  EXPECT_LE(c.start_of_week(kPlusInfinity), kPlusInfinity);
}

// start_of_X is non-decreasing, start_of_X(t) <= t < next_X(t), start_of_X(next_X(t)) =
// next_X(t), and start_of_X is constant on [start_of_X(t), next_X(t)).
TEST(Calendar, RandomInstantsAreConsistent) {
  std::mt19937_64 random(20261125);
  Calendar repeat("Test/Repeat",
                  {{kMinusInfinity, -2 * 3600}, {utc(2027, 2, 21, 2, 30), -3 * 3600}});
  for (const Calendar& c : {Calendar(), warsaw(), sao_paulo(), repeat}) {
    for (int i = 0; i < 3000; ++i) {
      int64_t t = utc(2025, 1, 1) +
                  static_cast<int64_t>(random() % (5ULL * 365 * 86400)) * kMicrosPerSecond;
      using Fn = int64_t (Calendar::*)(int64_t) const;
      const std::pair<Fn, Fn> units[] = {{&Calendar::start_of_day, &Calendar::next_day},
                                         {&Calendar::start_of_week, &Calendar::next_week},
                                         {&Calendar::start_of_month, &Calendar::next_month}};
      for (auto [start_of, next] : units) {
        int64_t s = (c.*start_of)(t);
        int64_t n = (c.*next)(t);
        ASSERT_LE(s, t);
        ASSERT_GT(n, t);
        ASSERT_EQ((c.*start_of)(s), s);
        ASSERT_EQ((c.*start_of)(n), n);
        ASSERT_EQ((c.*start_of)(n - 1), s);
        ASSERT_LE((c.*start_of)(t - 1), s);
      }
    }
  }
}

}  // namespace
}  // namespace promo
