// Rule parser: syntax errors with exact messages and positions, precedence (seen through the
// canonical printer), case-insensitive keywords and the nesting limit.
#include "core/rule_ast.hpp"
#include "rule_test_carts.hpp"

#include <gtest/gtest.h>

namespace promo::rule {
namespace {

using testing::failure;

std::string printed(std::string_view text, Context context = Context::kCondition) {
  return compile(text, context, testing::kUsd)->print();
}

TEST(RuleParser, SyntaxErrorsNameWhatWasExpectedAndWhere) {
  struct Case {
    const char* text;
    const char* message;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"", "expected an expression at 1:1, found end of rule"},
           {"   ", "expected an expression at 1:4, found end of rule"},
           {"has(sku = 'APPLE'", "expected ')' at 1:18, found end of rule"},
           {"has(sku = 'APPLE-KB'", "expected ')' at 1:21, found end of rule"},
           {"subtotal >=", "expected an expression at 1:12, found end of rule"},
           {"subtotal >= 5 5", "expected end of rule at 1:15, found '5'"},
           {"subtotal >= and", "expected an expression at 1:13, found 'and'"},
           {"(subtotal >= 5", "expected ')' at 1:15, found end of rule"},
           {"subtotal >= 5)", "expected end of rule at 1:14, found ')'"},
           {"quantity = 1 = 1", "expected end of rule at 1:14, found '='"},
           {"has(sku in ())", "expected a literal at 1:13, found ')'"},
           {"has(sku in (sku))", "expected a literal at 1:13, found 'sku'"},
           {"has(sku in 'a')", "expected '(' at 1:12, found a string"},
           {"has(sku = 'a',)", "expected an expression at 1:15, found ')'"},
           {"has(attributes.)", "expected a name at 1:16, found ')'"},
           {"subtotal >= 'x", "unterminated string at 1:13"},
           {"subtotal # 5", "unexpected character '#' at 1:10"},
           {"subtotal\n  >= ", "expected an expression at 2:6, found end of rule"},
           {"not", "expected an expression at 1:4, found end of rule"},
           {"subtotal = - ", "expected an expression at 1:14, found end of rule"},
       }) {
    auto f = failure(c.text);
    EXPECT_EQ(f.sqlstate, "42601") << c.text;
    EXPECT_EQ(f.message, c.message) << c.text;
  }
}

TEST(RuleParser, NumbersOutOfRange) {
  auto f = failure("quantity >= 99999999999999999999");
  EXPECT_EQ(f.sqlstate, "22003");
  EXPECT_EQ(f.message, "number 99999999999999999999 is out of range at 1:13");
}

TEST(RuleParser, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(printed("NOT has(SKU = 'a') AnD Quantity >= 2 OR TRUE"),
            "not has(sku = 'a') and quantity >= 2 or true");
  EXPECT_EQ(printed("has(sku NOT IN ('a', 'b'))"), "has(sku not in ('a', 'b'))");
}

TEST(RuleParser, PrecedenceFollowsTheGrammar) {
  EXPECT_EQ(printed("quantity = 1 or quantity = 2 and quantity = 3"),
            "quantity = 1 or quantity = 2 and quantity = 3");
  EXPECT_EQ(printed("(quantity = 1 or quantity = 2) and quantity = 3"),
            "(quantity = 1 or quantity = 2) and quantity = 3");
  EXPECT_EQ(printed("not (quantity = 1 and quantity = 2)"), "not (quantity = 1 and quantity = 2)");
  EXPECT_EQ(printed("((quantity)) + 2 * 3 >= (1 + 2) * 3"), "quantity + 2 * 3 >= (1 + 2) * 3");
  EXPECT_EQ(printed("quantity - (1 - 2) >= quantity - 1 - 2"),
            "quantity - (1 - 2) >= quantity - 1 - 2");
  EXPECT_EQ(printed("- -quantity >= -(quantity + 1)"), "--quantity >= -(quantity + 1)");
  EXPECT_EQ(printed("(quantity = 1) = (quantity = 2)"), "(quantity = 1) = (quantity = 2)");
  // and/or are associative: nested chains of the same operator are flattened.
  EXPECT_EQ(printed("sku = 'a' and (sku = 'b' and sku = 'c')", Context::kItemCondition),
            "sku = 'a' and sku = 'b' and sku = 'c'");
  EXPECT_EQ(printed("sku = 'a' and (sku = 'b' or sku = 'c')", Context::kItemCondition),
            "sku = 'a' and (sku = 'b' or sku = 'c')");
}

TEST(RuleParser, NestingIsLimited) {
  std::string deep(kMaxDepth + 1, '(');
  deep += "true" + std::string(kMaxDepth + 1, ')');
  auto f = failure(deep);
  EXPECT_EQ(f.sqlstate, "54000");
  EXPECT_EQ(f.message, "rule nests more than 200 levels deep at 1:201");

  std::string ok(kMaxDepth - 1, '(');
  ok += "true" + std::string(kMaxDepth - 1, ')');
  EXPECT_EQ(printed(ok), "true");

  std::string nots;
  for (int i = 0; i < 300; ++i) nots += "not ";
  EXPECT_EQ(failure(nots + "true").sqlstate, "54000");

  // Long operator chains deepen the tree without recursion in the parser; they are limited too.
  std::string sum = "quantity";
  for (int i = 0; i < 300; ++i) sum += " + 1";
  EXPECT_EQ(failure(sum + " >= 1").sqlstate, "54000");

  // and/or chains are flat, so a long list of conjuncts is fine.
  std::string conjuncts = "quantity >= 1";
  for (int i = 0; i < 1000; ++i) conjuncts += " and quantity >= 1";
  EXPECT_NO_THROW(testing::condition(conjuncts));
}

}  // namespace
}  // namespace promo::rule
