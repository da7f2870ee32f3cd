// explain_failure and missing: exact wording with the cart's values.
#include "rule_test_carts.hpp"

#include <gtest/gtest.h>

namespace promo::rule {
namespace {

using namespace testing;

// SOCKS 2 x 5.00, KB 1 x 20.00 (audio): subtotal 30.00, 3 units.
Cart sample() {
  return cart({item("SOCKS", 2, 500, "apparel"), item("KB", 1, 2000, "audio")});
}

std::string explain(std::string_view text, const Cart& c) {
  Facts facts{&c};
  return condition(text)->explain_failure(facts);
}

// Needs joined with " and " (as hints show them), or "nullopt".
std::string needs(std::string_view text, const Cart& c) {
  Facts facts{&c};
  auto m = condition(text)->missing(facts);
  if (!m) return "nullopt";
  std::string out;
  for (const Need& need : *m) out += (out.empty() ? "" : " and ") + need.text;
  return out;
}

TEST(RuleExplain, NamesTheFirstFailingPartWithTheCartsValue) {
  Cart c = sample();
  EXPECT_EQ(explain("subtotal >= 50.00", c), "subtotal >= 50.00 is false (subtotal is 30.00)");
  EXPECT_EQ(explain("has(sku = 'APPLE-KB')", c),
            "has(sku = 'APPLE-KB') is false (no item matches)");
  EXPECT_EQ(explain("quantity(sku = 'SOCKS') >= 3", c),
            "quantity(sku = 'SOCKS') >= 3 is false (quantity is 2)");
  EXPECT_EQ(explain("amount(category = 'audio') >= 25", c),
            "amount(category = 'audio') >= 25.00 is false (amount is 20.00)");
  EXPECT_EQ(explain("quantity >= 1 and (subtotal > 10 and has(sku = 'X')) and subtotal >= 99", c),
            "has(sku = 'X') is false (no item matches)");
  EXPECT_EQ(explain("has(sku = 'X') or subtotal >= 40", c),
            "has(sku = 'X') or subtotal >= 40.00 is false (no item matches; subtotal is 30.00)");
  EXPECT_EQ(explain("has(sku = 'X') or has(sku = 'Y')", c),
            "has(sku = 'X') or has(sku = 'Y') is false (no item matches)");
  EXPECT_EQ(explain("not has(category = 'audio')", c),
            "not has(category = 'audio') is false (1 item matches)");
  EXPECT_EQ(explain("not has(true)", c), "not has(true) is false (2 items match)");
  EXPECT_EQ(explain("subtotal < 10.00", c), "subtotal < 10.00 is false (subtotal is 30.00)");
  EXPECT_EQ(explain("10.00 > subtotal", c), "10.00 > subtotal is false (subtotal is 30.00)");
  EXPECT_EQ(explain("subtotal = amount(sku = 'KB') * 2", c),
            "subtotal = amount(sku = 'KB') * 2 is false (subtotal is 30.00, amount(sku = 'KB') * 2 "
            "is 40.00)");
  EXPECT_EQ(explain("quantity in (1, 2)", c), "quantity in (1, 2) is false (quantity is 3)");
  EXPECT_EQ(explain("false", c), "false is false");
  EXPECT_EQ(explain("true", c), "the condition is true");
}

TEST(RuleExplain, MissingSaysWhatToAdd) {
  Cart c = sample();
  EXPECT_EQ(needs("subtotal >= 55.00", c), "subtotal 2500 short");
  EXPECT_EQ(needs("subtotal > 55.00", c), "subtotal 2501 short");
  EXPECT_EQ(needs("55.00 <= subtotal", c), "subtotal 2500 short");
  EXPECT_EQ(needs("quantity >= 5", c), "add 2 more units");
  EXPECT_EQ(needs("quantity > 3", c), "add 1 more unit");
  EXPECT_EQ(needs("quantity(sku = 'SOCKS') >= 3", c), "add 1 more unit matching sku = 'SOCKS'");
  EXPECT_EQ(needs("quantity(sku = 'HAT') > 1", c), "add 2 more units matching sku = 'HAT'");
  EXPECT_EQ(needs("amount(category = 'audio') >= 35", c),
            "amount of items matching category = 'audio' 1500 short");
  EXPECT_EQ(needs("has(sku = 'APPLE-KB')", c), "add an item matching sku = 'APPLE-KB'");
  EXPECT_EQ(needs("has(unit_price >= 60.00) or has(sku = 'APPLE-KB')", c),
            "add an item matching unit_price >= 60.00 or an item matching sku = 'APPLE-KB'");
  EXPECT_EQ(needs("has(sku = 'X') and subtotal >= 50 and quantity >= 1", c),
            "add an item matching sku = 'X' and subtotal 2000 short");
  EXPECT_EQ(needs("subtotal >= 40 and subtotal >= 40", c), "subtotal 1000 short");
  // or: the first alternative that adding can reach.
  EXPECT_EQ(needs("subtotal < 10 or quantity >= 4 or has(sku = 'X')", c), "add 1 more unit");
  EXPECT_EQ(needs("(subtotal < 10 and has(sku = 'Y')) or has(sku = 'X')", c),
            "add an item matching sku = 'X'");
  // Not reachable by adding.
  EXPECT_EQ(needs("not has(sku = 'SOCKS')", c), "nullopt");
  EXPECT_EQ(needs("subtotal < 10.00", c), "nullopt");
  EXPECT_EQ(needs("quantity = 4", c), "nullopt");
  EXPECT_EQ(needs("has(sku = 'X') and subtotal < 10.00", c), "nullopt");
  EXPECT_EQ(needs("subtotal < 10 or false", c), "nullopt");
  EXPECT_EQ(needs("false", c), "nullopt");
  // A true condition needs nothing.
  EXPECT_EQ(needs("subtotal >= 10", c), "");
}

}  // namespace
}  // namespace promo::rule
