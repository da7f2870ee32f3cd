// StringPositions: every string is found at its position, absent keys (including prefixes,
// extensions and the empty string) are not, and a large list agrees with a plain map.
#include "core/string_positions.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace promo {
namespace {

TEST(StringPositions, FindsEachStringAtItsPosition) {
  std::vector<std::string> strings = {"b000001", "b000002", "", "a", "ab", "b000001x"};
  StringPositions positions(strings);
  for (size_t i = 0; i < strings.size(); ++i) {
    EXPECT_EQ(positions.find(strings[i]), i) << strings[i];
  }
  EXPECT_EQ(positions.find("b00000"), StringPositions::kNone);
  EXPECT_EQ(positions.find("abc"), StringPositions::kNone);
  EXPECT_EQ(positions.find("B000001"), StringPositions::kNone);
}

TEST(StringPositions, EmptyListFindsNothing) {
  std::vector<std::string> strings;
  StringPositions positions(strings);
  EXPECT_EQ(positions.find(""), StringPositions::kNone);
  EXPECT_EQ(positions.find("x"), StringPositions::kNone);
}

TEST(StringPositions, AgreesWithAMapOnManyKeys) {
  std::mt19937 random(7);
  std::map<std::string, uint32_t> expected;
  std::vector<std::string> strings;
  while (strings.size() < 50000) {
    std::string key = "c" + std::to_string(random() % 200000);
    if (expected.emplace(key, static_cast<uint32_t>(strings.size())).second) {
      strings.push_back(key);
    }
  }
  StringPositions positions(strings);
  for (int i = 0; i < 200000; ++i) {
    std::string key = "c" + std::to_string(i);
    auto found = expected.find(key);
    uint32_t want = found == expected.end() ? StringPositions::kNone : found->second;
    ASSERT_EQ(positions.find(key), want) << key;
  }
}

}  // namespace
}  // namespace promo
