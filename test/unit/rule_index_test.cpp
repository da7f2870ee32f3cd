// Index facts: required keys and the minimum subtotal, exactly on known rules and soundly over
// random rules and carts (whenever a condition holds, its requirements hold).
#include "rule_test_carts.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/rule_index.hpp"

namespace promo::rule {
namespace {

using namespace testing;

// "sku=A,category=x" or "unconstrained"; the parts of a joined value are shown as "|".
std::string keys(std::string_view text, Context context = Context::kCondition) {
  auto program = compile(text, context, kUsd);
  const KeyRequirement& r = program->required_keys();
  if (!r.constrained) return "unconstrained";
  std::string out;
  for (const auto& [field, value] : r.keys) out += (out.empty() ? "" : ",") + field + "=" + value;
  std::replace(out.begin(), out.end(), kKeyValueJoin, '|');
  return out;
}

int64_t floor_of(std::string_view text) {
  return condition(text)->min_subtotal();
}

TEST(RuleIndex, RequiredKeys) {
  EXPECT_EQ(keys("has(sku = 'A')"), "sku=A");
  EXPECT_EQ(keys("has('A' = sku)"), "sku=A");
  EXPECT_EQ(keys("has(sku in ('B', 'A', 'B'))"), "sku=A,sku=B");
  EXPECT_EQ(keys("has(category = 'audio')"), "category=audio");
  EXPECT_EQ(keys("has(category in ('x'))"), "category=x");
  EXPECT_EQ(keys("has(sku = 'A' and unit_price > 5)"), "sku=A");
  // Sides of an `and` about one item join into one key the item must have all parts of.
  EXPECT_EQ(keys("has(sku in ('A', 'B') and category = 'x')"), "category+sku=x|A,category+sku=x|B");
  EXPECT_EQ(keys("has(category = 'x' and attributes.brand = 'acme')"),
            "attributes.brand+category=acme|x");
  EXPECT_EQ(keys("amount(category = 'x' and attributes.brand = 'acme' and unit_price > 5) >= 20"),
            "attributes.brand+category=acme|x");
  EXPECT_EQ(keys("has(sku = 'A' and sku = 'B')"), "sku=A");
  EXPECT_EQ(keys("has(attributes.brand = 'acme')"), "attributes.brand=acme");
  EXPECT_EQ(keys("has('acme' = attributes.brand)"), "attributes.brand=acme");
  EXPECT_EQ(keys("has(attributes.size = 5)"), "unconstrained");
  EXPECT_EQ(keys("has(attributes.brand <> 'acme')"), "unconstrained");
  // Two has() may match two different items: no joined key across them.
  EXPECT_EQ(keys("has(category = 'x') and has(attributes.brand = 'acme')"), "category=x");
  EXPECT_EQ(keys("has(sku = 'A' or category = 'x')"), "category=x,sku=A");
  EXPECT_EQ(keys("has(sku = 'A' or unit_price > 5)"), "unconstrained");
  EXPECT_EQ(keys("has(not sku = 'A')"), "unconstrained");
  EXPECT_EQ(keys("has(sku not in ('A'))"), "unconstrained");
  EXPECT_EQ(keys("has(sku <> 'A')"), "unconstrained");
  EXPECT_EQ(keys("has(product = 'A')"), "unconstrained");
  EXPECT_EQ(keys("quantity(sku = 'A') >= 1"), "sku=A");
  EXPECT_EQ(keys("quantity(sku = 'A') >= 0"), "unconstrained");
  EXPECT_EQ(keys("quantity(sku = 'A') > 0"), "sku=A");
  EXPECT_EQ(keys("1 <= quantity(sku = 'A')"), "sku=A");
  EXPECT_EQ(keys("quantity(sku = 'A') < 3"), "unconstrained");
  EXPECT_EQ(keys("amount(sku = 'A') >= 0.01"), "sku=A");
  EXPECT_EQ(keys("amount(sku = 'A') >= 0"), "unconstrained");
  EXPECT_EQ(keys("amount(sku = 'A') > 0"), "sku=A");
  EXPECT_EQ(keys("has(sku = 'A') and subtotal > 5"), "sku=A");
  EXPECT_EQ(keys("has(sku = 'A') and has(sku in ('B', 'C'))"), "sku=A");
  EXPECT_EQ(keys("has(sku = 'A') or has(category = 'x')"), "category=x,sku=A");
  EXPECT_EQ(keys("has(sku = 'A') or subtotal > 5"), "unconstrained");
  EXPECT_EQ(keys("not has(sku = 'A')"), "unconstrained");
  EXPECT_EQ(keys("subtotal > 5"), "unconstrained");
  EXPECT_EQ(keys("sku = 'A'", Context::kItemCondition), "sku=A");
  EXPECT_EQ(keys("quantity(sku = 'A')", Context::kCount), "unconstrained");
}

TEST(RuleIndex, MinSubtotal) {
  EXPECT_EQ(floor_of("subtotal >= 50.00"), 5000);
  EXPECT_EQ(floor_of("subtotal > 50.00"), 5001);
  EXPECT_EQ(floor_of("50.00 < subtotal"), 5001);
  EXPECT_EQ(floor_of("subtotal = 12.34"), 1234);
  EXPECT_EQ(floor_of("amount(sku = 'A') >= 20"), 2000);
  EXPECT_EQ(floor_of("subtotal >= 50 and subtotal >= 70"), 7000);
  EXPECT_EQ(floor_of("subtotal >= 50 or subtotal >= 70"), 5000);
  EXPECT_EQ(floor_of("subtotal >= 50 or has(sku = 'A')"), 0);
  EXPECT_EQ(floor_of("subtotal >= 25 + 25"), 5000);
  EXPECT_EQ(floor_of("subtotal < 50"), 0);
  EXPECT_EQ(floor_of("not subtotal < 50"), 0);
  EXPECT_EQ(floor_of("subtotal >= -5"), 0);
  EXPECT_EQ(floor_of("subtotal >= subtotal"), 0);
}

TEST(RuleIndex, SoundOverRandomRulesAndCarts) {
  RandomRules random(7);
  int held = 0;
  int constrained = 0;
  for (int i = 0; i < 3000; ++i) {
    auto p = condition(random.condition());
    const KeyRequirement& r = p->required_keys();
    constrained += r.constrained ? 1 : 0;
    for (int j = 0; j < 10; ++j) {
      Cart c = random.random_cart();
      Facts facts{&c};
      if (!p->eval_condition(facts)) {
        // Explanations never fail on false conditions.
        EXPECT_FALSE(p->explain_failure(facts).empty());
        p->missing(facts);
        continue;
      }
      ++held;
      ASSERT_GE(c.subtotal, p->min_subtotal()) << p->print();
      if (!r.constrained) continue;
      std::string value;
      bool found = std::any_of(c.items.begin(), c.items.end(), [&](const CartItem& item) {
        return std::any_of(r.keys.begin(), r.keys.end(), [&](const auto& key) {
          return item_key_value(item, key.first, value) && value == key.second;
        });
      });
      ASSERT_TRUE(found) << p->print();
    }
  }
  // The generator must exercise both outcomes for the check to mean something.
  EXPECT_GT(held, 3000);
  EXPECT_GT(constrained, 300);
}

TEST(RuleIndex, MissingNeedsAreSufficientForSimpleAtoms) {
  // Adding what missing() asks for makes a single-atom condition true.
  RandomRules random(11);
  for (int i = 0; i < 500; ++i) {
    Cart c = random.random_cart();
    Facts facts{&c};
    std::string bound = random.money();
    auto p = condition("subtotal >= " + bound);
    if (p->eval_condition(facts)) continue;
    auto m = p->missing(facts);
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->size(), 1u);
    int64_t short_by = std::stoll(m->front().text.substr(9));
    c.items.push_back(item("FILL", 1, short_by));
    c = cart(std::move(c.items));
    Facts after{&c};
    EXPECT_TRUE(p->eval_condition(after)) << p->print();
  }
}

}  // namespace
}  // namespace promo::rule
