// Rule lexer: token kinds, unescaped strings, 1-based line:column positions counted in code
// points, and its errors.
#include "core/error.hpp"
#include "core/rule_lexer.hpp"

#include <gtest/gtest.h>

namespace promo::rule {
namespace {

std::string kinds(std::string_view text) {
  std::string out;
  for (const Token& t : tokenize(text)) {
    if (!out.empty()) out += ' ';
    out += t.kind == TokenKind::kEnd      ? "$"
           : t.kind == TokenKind::kString ? "'" + t.text + "'"
                                          : t.text;
  }
  return out;
}

TEST(RuleLexer, SplitsOperatorsNamesNumbersAndStrings) {
  EXPECT_EQ(kinds("subtotal>=50.00 and has(sku='A')"), "subtotal >= 50.00 and has ( sku = 'A' ) $");
  EXPECT_EQ(kinds("a<>b != c <= d < e > f => g"), "a <> b != c <= d < e > f => g $");
  EXPECT_EQ(kinds("attributes.color + -1 * 2 / 3, x"), "attributes . color + - 1 * 2 / 3 , x $");
  EXPECT_EQ(kinds("'it''s'"), "'it's' $");
  EXPECT_EQ(kinds("''"), "'' $");
  EXPECT_EQ(kinds("5."), "5 . $");  // a fraction needs digits
}

TEST(RuleLexer, KindsOfTokens) {
  auto tokens = tokenize("x != 'v'");
  ASSERT_EQ(tokens.size(), 4u);
  EXPECT_EQ(tokens[0].kind, TokenKind::kIdentifier);
  EXPECT_EQ(tokens[1].kind, TokenKind::kNotEqual);
  EXPECT_EQ(tokens[2].kind, TokenKind::kString);
  EXPECT_EQ(tokens[3].kind, TokenKind::kEnd);
}

TEST(RuleLexer, PositionsAreLineAndCodePointColumn) {
  auto tokens = tokenize("has(sku = 'é€')\n  and x");
  EXPECT_EQ(to_string(tokens[0].position), "1:1");
  EXPECT_EQ(to_string(tokens[2].position), "1:5");
  EXPECT_EQ(to_string(tokens[4].position), "1:11");
  EXPECT_EQ(to_string(tokens[5].position), "1:15");  // two characters, five bytes
  EXPECT_EQ(to_string(tokens[6].position), "2:3");
  EXPECT_EQ(to_string(tokens[7].position), "2:7");
  EXPECT_EQ(to_string(tokens[8].position), "2:8");  // end of rule
}

TEST(RuleLexer, Errors) {
  try {
    tokenize("sku = 'abc");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "42601");
    EXPECT_STREQ(e.what(), "unterminated string at 1:7");
  }
  try {
    tokenize("a ≥ 1");
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "42601");
    EXPECT_STREQ(e.what(), "unexpected character '≥' at 1:3");
  }
  try {
    tokenize(std::string(kMaxRuleBytes + 1, ' '));
    FAIL();
  } catch (const Error& e) {
    EXPECT_STREQ(e.sqlstate(), "54000");
    EXPECT_STREQ(e.what(), "rule is too long: 65537 bytes, at most 65536");
  }
  EXPECT_NO_THROW(tokenize(std::string(kMaxRuleBytes, ' ')));
}

}  // namespace
}  // namespace promo::rule
