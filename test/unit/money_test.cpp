// Money: currency table, formatting, percentages, largest-remainder allocation, checked math.
#include "core/error.hpp"
#include "core/money.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>
#include <random>

namespace promo {
std::span<const Currency> iso4217_currencies();  // currency_table.cpp
}

namespace promo {
namespace {

// The message and SQLSTATE of the promo::Error thrown by `f`.
template <class F>
std::pair<std::string, std::string> error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.sqlstate(), e.what()};
  }
  return {"none", "no error"};
}

TEST(Currency, TableIsSortedUniqueAndWellFormed) {
  auto table = iso4217_currencies();
  ASSERT_GT(table.size(), 150u);
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_EQ(table[i].code.size(), 3u);
    for (char c : table[i].code) EXPECT_TRUE(c >= 'A' && c <= 'Z') << table[i].code;
    EXPECT_GE(table[i].exponent, 0);
    EXPECT_LE(table[i].exponent, 4);
    if (i > 0) {
      EXPECT_LT(table[i - 1].code, table[i].code);
    }
  }
}

TEST(Currency, KnownCodesAndExponents) {
  const std::pair<const char*, int> expected[] = {
      {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"PLN", 2}, {"JPY", 0}, {"KRW", 0}, {"BHD", 3},
      {"KWD", 3}, {"CLF", 4}, {"UYW", 4}, {"AED", 2}, {"ZWG", 2}, {"XOF", 0}, {"ISK", 0}};
  for (auto [code, exponent] : expected) {
    const Currency* c = find_currency(code);
    ASSERT_NE(c, nullptr) << code;
    EXPECT_EQ(c->code, code);
    EXPECT_EQ(c->exponent, exponent) << code;
  }
}

TEST(Currency, UnknownCodes) {
  for (const char* code : {"XYZ", "usd", "US", "USDD", "", "HRK", "XAU", "XXX", "AAA", "ZZZ"}) {
    EXPECT_EQ(find_currency(code), nullptr) << code;
  }
}

TEST(FormatMajor, UsesTheCurrencyExponent) {
  const Currency& usd = *find_currency("USD");
  const Currency& jpy = *find_currency("JPY");
  const Currency& bhd = *find_currency("BHD");
  const Currency& clf = *find_currency("CLF");
  EXPECT_EQ(format_major(5000, usd), "50.00");
  EXPECT_EQ(format_major(5, usd), "0.05");
  EXPECT_EQ(format_major(0, usd), "0.00");
  EXPECT_EQ(format_major(123456789, usd), "1234567.89");
  EXPECT_EQ(format_major(-5, usd), "-0.05");
  EXPECT_EQ(format_major(-1999, usd), "-19.99");
  EXPECT_EQ(format_major(500, jpy), "500");
  EXPECT_EQ(format_major(-500, jpy), "-500");
  EXPECT_EQ(format_major(0, jpy), "0");
  EXPECT_EQ(format_major(1234, bhd), "1.234");
  EXPECT_EQ(format_major(-7, bhd), "-0.007");
  EXPECT_EQ(format_major(10000, clf), "1.0000");
  EXPECT_EQ(format_major(INT64_MIN, usd), "-92233720368547758.08");
  EXPECT_EQ(format_major(INT64_MAX, jpy), "9223372036854775807");
}

TEST(Percent, FromDecimal) {
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("33.3"))->units, 333000);
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("5"))->units, 50000);
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("100"))->units, 1000000);
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("0.0001"))->units, 1);
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("12.50000"))->units, 125000);
  EXPECT_FALSE(Percent::from_decimal(*Decimal::parse("0.00001")).has_value());
  EXPECT_FALSE(Percent::from_decimal(*Decimal::parse("12.34567")).has_value());
  EXPECT_FALSE(Percent::from_decimal(*Decimal::parse("1e18")).has_value());
  // Only converts: the range check is the caller's.
  EXPECT_EQ(Percent::from_decimal(*Decimal::parse("150"))->units, 1500000);
}

TEST(Percent, ToStringTrimsTrailingZeros) {
  EXPECT_EQ(Percent{333000}.to_string(), "33.3");
  EXPECT_EQ(Percent{50000}.to_string(), "5");
  EXPECT_EQ(Percent{1000000}.to_string(), "100");
  EXPECT_EQ(Percent{1}.to_string(), "0.0001");
  EXPECT_EQ(Percent{125000}.to_string(), "12.5");
  EXPECT_EQ(Percent{123456}.to_string(), "12.3456");
  EXPECT_EQ(Percent{0}.to_string(), "0");
}

TEST(PercentOf, RoundsHalfUp) {
  auto pct = [](const char* text) { return *Percent::from_decimal(*Decimal::parse(text)); };
  EXPECT_EQ(percent_of(999, pct("10")), 100);     // 99.9
  EXPECT_EQ(percent_of(1999, pct("5")), 100);     // 99.95
  EXPECT_EQ(percent_of(1000, pct("33.3")), 333);  // 333
  EXPECT_EQ(percent_of(1, pct("50")), 1);         // 0.5 -> 1
  EXPECT_EQ(percent_of(1, pct("49.9999")), 0);    // 0.499999 -> 0
  EXPECT_EQ(percent_of(7500, pct("5")), 375);
  EXPECT_EQ(percent_of(0, pct("100")), 0);
  EXPECT_EQ(percent_of(12345, pct("100")), 12345);
  EXPECT_EQ(percent_of(INT64_MAX, pct("100")), INT64_MAX);
  EXPECT_EQ(percent_of(INT64_MAX, pct("50")), 4611686018427387904);  // ...903.5 -> up
}

// Checks the documented properties of one allocation against its exact proportions.
void check_allocation(int64_t total, const std::vector<int64_t>& weights) {
  const std::vector<int64_t> shares = allocate_largest_remainder(total, weights);
  ASSERT_EQ(shares.size(), weights.size());
  __int128 weight_sum = 0;
  for (int64_t w : weights) weight_sum += w;
  int64_t share_sum = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    share_sum += shares[i];
    EXPECT_GE(shares[i], 0);
    EXPECT_LE(shares[i], weights[i]);
    // |share - total * w / sum| < 1, in exact integers: |share * sum - total * w| < sum.
    const __int128 diff =
        static_cast<__int128>(shares[i]) * weight_sum - static_cast<__int128>(total) * weights[i];
    if (weight_sum > 0) {
      EXPECT_LT(diff < 0 ? -diff : diff, weight_sum);
    }
  }
  EXPECT_EQ(share_sum, total);
}

TEST(Allocate, Examples) {
  EXPECT_EQ(allocate_largest_remainder(100, std::vector<int64_t>{100, 100, 100}),
            (std::vector<int64_t>{34, 33, 33}));  // tie: lower index first
  EXPECT_EQ(allocate_largest_remainder(2, std::vector<int64_t>{1, 1, 1}),
            (std::vector<int64_t>{1, 1, 0}));
  EXPECT_EQ(allocate_largest_remainder(1000, std::vector<int64_t>{2500, 5000, 2500}),
            (std::vector<int64_t>{250, 500, 250}));
  EXPECT_EQ(allocate_largest_remainder(10, std::vector<int64_t>{3, 3, 4}),
            (std::vector<int64_t>{3, 3, 4}));
  EXPECT_EQ(allocate_largest_remainder(5, std::vector<int64_t>{0, 10, 0, 3}),
            (std::vector<int64_t>{0, 4, 0, 1}));  // 3.846 / 1.154: remainder .846 wins
  EXPECT_EQ(allocate_largest_remainder(0, std::vector<int64_t>{0, 0}),
            (std::vector<int64_t>{0, 0}));
  EXPECT_TRUE(allocate_largest_remainder(0, std::vector<int64_t>{}).empty());
  EXPECT_EQ(allocate_largest_remainder(INT64_MAX, std::vector<int64_t>{INT64_MAX, INT64_MAX}),
            (std::vector<int64_t>{4611686018427387904, 4611686018427387903}));
}

TEST(Allocate, CallerBugsAreInternalErrors) {
  EXPECT_EQ(error_of([] {
              allocate_largest_remainder(4, std::vector<int64_t>{1, 2});
            }).first,
            "XX000");
  EXPECT_EQ(error_of([] {
              allocate_largest_remainder(-1, std::vector<int64_t>{1, 2});
            }).first,
            "XX000");
  EXPECT_EQ(error_of([] { allocate_largest_remainder(1, std::vector<int64_t>{}); }).first, "XX000");
  EXPECT_EQ(error_of([] {
              allocate_largest_remainder(1, std::vector<int64_t>{5, -1});
            }).first,
            "XX000");
}

TEST(Allocate, PropertiesOverRandomCases) {
  std::mt19937_64 rng(20240611);
  for (int round = 0; round < 10000; ++round) {
    const size_t n = 1 + rng() % 12;
    std::vector<int64_t> weights(n);
    // Mix small weights (many ties), zeros and large amounts.
    const int64_t bound = round % 3 == 0 ? 10 : round % 3 == 1 ? 100000 : int64_t{1} << 50;
    for (auto& w : weights) w = rng() % 5 == 0 ? 0 : static_cast<int64_t>(rng() % bound);
    const int64_t sum = std::accumulate(weights.begin(), weights.end(), int64_t{0});
    const int64_t total =
        sum == 0 ? 0 : static_cast<int64_t>(rng() % (static_cast<uint64_t>(sum) + 1));
    check_allocation(total, weights);
    if (HasFailure()) {
      ADD_FAILURE() << "failed at round " << round;
      return;
    }
  }
}

TEST(CheckedMath, OverflowIsNumericOutOfRange) {
  EXPECT_EQ(checked_add(2, 3, "x"), 5);
  EXPECT_EQ(checked_mul(-4, 3, "x"), -12);
  EXPECT_EQ(error_of([] { checked_add(INT64_MAX, 1, "cart subtotal"); }),
            (std::pair<std::string, std::string>{"22003", "cart subtotal is out of range"}));
  EXPECT_EQ(error_of([] { checked_mul(INT64_MAX / 2, 3, "line total"); }),
            (std::pair<std::string, std::string>{"22003", "line total is out of range"}));
  EXPECT_EQ(error_of([] { checked_add(INT64_MIN, -1, "a"); }).first, "22003");
}

}  // namespace
}  // namespace promo
