// Decimal: JSON-number parsing into mantissa/scale, rescaling, text and value comparison.
#include "core/decimal.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace promo {
namespace {

// Parses text that must be a valid number, failing the test otherwise.
Decimal parsed(std::string_view text) {
  auto d = Decimal::parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal{});
}

TEST(Decimal, ParsesPlainNumbersKeepingWrittenScale) {
  EXPECT_EQ(parsed("0").mantissa, 0);
  EXPECT_EQ(parsed("0").scale, 0);
  EXPECT_EQ(parsed("42").mantissa, 42);
  EXPECT_EQ(parsed("1.50").mantissa, 150);
  EXPECT_EQ(parsed("1.50").scale, 2);
  EXPECT_EQ(parsed("-0.05").mantissa, -5);
  EXPECT_EQ(parsed("-0.05").scale, 2);
  EXPECT_EQ(parsed("0.000").scale, 3);
  EXPECT_EQ(parsed("-0").mantissa, 0);
}

TEST(Decimal, ParsesExponents) {
  EXPECT_EQ(parsed("1.5e1").mantissa, 15);
  EXPECT_EQ(parsed("1.5e1").scale, 0);
  EXPECT_EQ(parsed("1.50E1").mantissa, 150);
  EXPECT_EQ(parsed("1.50E1").scale, 1);
  EXPECT_EQ(parsed("15e-3").mantissa, 15);
  EXPECT_EQ(parsed("15e-3").scale, 3);
  EXPECT_EQ(parsed("2e+3").mantissa, 2000);
  EXPECT_EQ(parsed("2e+3").scale, 0);
  EXPECT_EQ(parsed("0e99999999999").mantissa, 0);
  // A scale above 18 is reduced only by dropping trailing zeros.
  EXPECT_EQ(parsed("1.0000000000000000000000").mantissa, 1000000000000000000);
  EXPECT_EQ(parsed("1.0000000000000000000000").scale, 18);
  EXPECT_FALSE(Decimal::parse("10.000000000000000000").has_value());  // 10^19 at scale 18
  EXPECT_EQ(parsed("5e-18").scale, 18);
}

TEST(Decimal, RejectsNonJsonNumbers) {
  for (const char* text : {"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "1.5x", " 1", "1 ", "NaN",
                           "Infinity", "0x10", "1..2", "--1", "1e5.5"}) {
    EXPECT_FALSE(Decimal::parse(text).has_value()) << text;
  }
}

TEST(Decimal, RejectsOutOfRange) {
  EXPECT_FALSE(Decimal::parse("9223372036854775808").has_value());
  EXPECT_EQ(parsed("9223372036854775807").mantissa, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parsed("-9223372036854775808").mantissa, std::numeric_limits<int64_t>::min());
  EXPECT_FALSE(Decimal::parse("-9223372036854775809").has_value());
  EXPECT_FALSE(Decimal::parse("1e19").has_value());
  EXPECT_EQ(parsed("1e18").mantissa, 1000000000000000000);
  EXPECT_FALSE(Decimal::parse("1e-19").has_value());
  EXPECT_FALSE(Decimal::parse("1e999999999999999").has_value());
  EXPECT_FALSE(Decimal::parse("1e-999999999999999").has_value());
  EXPECT_FALSE(Decimal::parse("0.1234567890123456789").has_value());
}

TEST(Decimal, IntegerChecksAndConversion) {
  EXPECT_TRUE(parsed("3.00").is_integer());
  EXPECT_FALSE(parsed("3.01").is_integer());
  EXPECT_TRUE(parsed("-7").is_integer());
  EXPECT_EQ(parsed("3.00").to_int64(), 3);
  EXPECT_EQ(parsed("-12.0").to_int64(), -12);
  EXPECT_EQ(parsed("3.5").to_int64(), std::nullopt);
  EXPECT_EQ(parsed("0.000000000000000001").to_int64(), std::nullopt);
}

TEST(Decimal, ScaledToIsExact) {
  EXPECT_EQ(parsed("50").scaled_to(2), 5000);
  EXPECT_EQ(parsed("50.5").scaled_to(2), 5050);
  EXPECT_EQ(parsed("50.001").scaled_to(2), std::nullopt);
  EXPECT_EQ(parsed("50.000").scaled_to(2), 5000);
  EXPECT_EQ(parsed("-1.25").scaled_to(3), -1250);
  EXPECT_EQ(parsed("9223372036854775807").scaled_to(1), std::nullopt);
  EXPECT_EQ(parsed("92233720368547758.07").scaled_to(2), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(parsed("0").scaled_to(30), 0);
  EXPECT_EQ(parsed("1").scaled_to(19), std::nullopt);
  EXPECT_EQ(parsed("1").scaled_to(-1), std::nullopt);
}

TEST(Decimal, ToStringKeepsScale) {
  EXPECT_EQ(parsed("1.50").to_string(), "1.50");
  EXPECT_EQ(parsed("-0.05").to_string(), "-0.05");
  EXPECT_EQ(parsed("7").to_string(), "7");
  EXPECT_EQ(parsed("0.000").to_string(), "0.000");
  EXPECT_EQ(parsed("1.5e1").to_string(), "15");
  EXPECT_EQ(parsed("-9223372036854775808").to_string(), "-9223372036854775808");
  EXPECT_EQ((Decimal{-9, 18}).to_string(), "-0.000000000000000009");
}

TEST(Decimal, ComparesByValue) {
  EXPECT_EQ(compare(parsed("1.5"), parsed("1.50")), 0);
  EXPECT_EQ(compare(parsed("1.49"), parsed("1.5")), -1);
  EXPECT_EQ(compare(parsed("2"), parsed("1.999999999999999999")), 1);
  EXPECT_EQ(compare(parsed("-1"), parsed("0.1")), -1);
  EXPECT_EQ(compare(parsed("9223372036854775807"), parsed("-9223372036854775808")), 1);
  EXPECT_EQ(
      compare(parsed("-9223372036854775808"), Decimal{std::numeric_limits<int64_t>::max(), 18}),
      -1);
}

}  // namespace
}  // namespace promo
