// StringPositions: every string is found at its position, absent keys (including prefixes,
// extensions and the empty string) are not, add() returns existing positions and appends new
// strings through the table's growth, and a large list agrees with a plain map.
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
  EXPECT_EQ(positions.strings(), strings);
}

TEST(StringPositions, EmptyListFindsNothing) {
  StringPositions positions;
  EXPECT_EQ(positions.find(""), StringPositions::kNone);
  EXPECT_EQ(positions.find("x"), StringPositions::kNone);
}

TEST(StringPositions, AddKeepsPositionsAcrossGrowth) {
  StringPositions positions;
  EXPECT_EQ(positions.add("x"), 0u);
  EXPECT_EQ(positions.add("y"), 1u);
  EXPECT_EQ(positions.add("x"), 0u);
  for (int i = 0; i < 1000; ++i) positions.add("k" + std::to_string(i));
  EXPECT_EQ(positions.strings().size(), 1002u);
  EXPECT_EQ(positions.add("y"), 1u);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(positions.find("k" + std::to_string(i)), static_cast<uint32_t>(i + 2));
  }
  EXPECT_EQ(positions.find("k1000"), StringPositions::kNone);
}

TEST(StringPositions, AgreesWithAMapOnManyKeys) {
  std::mt19937 random(7);
  std::map<std::string, uint32_t> expected;
  std::vector<std::string> strings;
  StringPositions added;
  while (strings.size() < 50000) {
    std::string key = "c" + std::to_string(random() % 200000);
    uint32_t position = added.add(key);
    if (expected.emplace(key, static_cast<uint32_t>(strings.size())).second) {
      strings.push_back(key);
    }
    ASSERT_EQ(position, expected[key]);
  }
  StringPositions positions(strings);
  for (int i = 0; i < 200000; ++i) {
    std::string key = "c" + std::to_string(i);
    auto found = expected.find(key);
    uint32_t want = found == expected.end() ? StringPositions::kNone : found->second;
    ASSERT_EQ(positions.find(key), want) << key;
    ASSERT_EQ(added.find(key), want) << key;
  }
}

}  // namespace
}  // namespace promo
