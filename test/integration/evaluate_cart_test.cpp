// promo.evaluate_cart used as an application uses it: one prepared statement, run many times
// with parameters, against the tiered promotion "5% from $50, 10% from $100" (tactic T2).
#include "database_fixture.hpp"

namespace promo_it {
namespace {

constexpr const char* kStatement = "promo_it_evaluate_cart";

class EvaluateCartTest : public DatabaseTest {
 protected:
  // Creates the T2 promotion and prepares the statement on the fixture's connection.
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    promotion_ = unique_name("spend-more");
    create_promotion(conn(), promotion_);
    create_tier(conn(), promotion_, "5% from $50", "subtotal >= 50.00", R"({"percent_off": 5})");
    create_tier(conn(), promotion_, "10% from $100", "subtotal >= 100.00",
                R"({"percent_off": 10})");
    conn().prepare(kStatement, "SELECT promo.evaluate_cart($1, $2::jsonb)");
  }

  std::string promotion_;
};

// One row of the expectation table: a cart of `quantity` T-shirts at 25.00 each.
struct TierCase {
  long long quantity;
  long long subtotal;
  long long discount;
  const char* tier;  // nullptr: no tier applies
};

// Every quantity from 1 to 5, twenty times over, through the same prepared statement: the
// amounts are exact each time (5% of 7500 is 375; 10% of 12500 is 1250).
TEST_F(EvaluateCartTest, PreparedStatementGivesExactTierDiscounts) {
  const TierCase cases[] = {
      {1, 2500, 0, nullptr},
      {2, 5000, 250, "5% from $50"},
      {3, 7500, 375, "5% from $50"},
      {4, 10000, 1000, "10% from $100"},
      {5, 12500, 1250, "10% from $100"},
  };
  for (int round = 0; round < 20; ++round) {
    for (const auto& c : cases) {
      SCOPED_TRACE("round " + std::to_string(round) + ", quantity " + std::to_string(c.quantity));
      auto result =
          evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", c.quantity, 2500}}));
      EXPECT_EQ(result.at("currency"), kCurrency);
      EXPECT_EQ(result.at("subtotal"), c.subtotal);
      EXPECT_EQ(result.at("discount"), c.discount);
      EXPECT_EQ(result.at("total"), c.subtotal - c.discount);
      ASSERT_EQ(result.at("items").size(), 1u);
      EXPECT_EQ(result.at("items")[0].at("discount"), c.discount);
      EXPECT_EQ(result.at("items")[0].at("total"), c.subtotal - c.discount);
      auto applied = applied_entry(result, promotion_);
      if (c.tier == nullptr) {
        EXPECT_TRUE(applied.is_null()) << result.dump();
      } else {
        ASSERT_FALSE(applied.is_null()) << result.dump();
        EXPECT_EQ(applied.at("tier"), c.tier);
        EXPECT_EQ(applied.at("discount"), c.discount);
      }
    }
  }
}

// 3 x 25.00 qualifies for 5% only: the result hints at the better tier, 25.00 short.
TEST_F(EvaluateCartTest, HintsAtTheBetterTier) {
  auto result = evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", 3, 2500}}));
  bool found = false;
  for (const auto& hint : result.at("hints")) {
    if (hint.at("promotion") != promotion_) continue;
    found = true;
    EXPECT_EQ(hint.at("tier"), "10% from $100");
    EXPECT_NE(hint.at("missing").get<std::string>().find("2500"), std::string::npos) << hint.dump();
  }
  EXPECT_TRUE(found) << result.dump();
}

// 1 x 25.00 qualifies for no tier: the promotion is listed in not_applied as condition_failed.
TEST_F(EvaluateCartTest, ExplainsWhyNoTierApplied) {
  auto result = evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", 1, 2500}}));
  bool found = false;
  for (const auto& entry : result.at("not_applied")) {
    if (entry.at("promotion") != promotion_) continue;
    found = true;
    EXPECT_EQ(entry.at("reason_code"), "condition_failed");
    EXPECT_FALSE(entry.at("reason").get<std::string>().empty());
  }
  EXPECT_TRUE(found) << result.dump();
}

// Percentages round half-up per line: 5% of 7500 is 375 and 5% of 333 is 16.65 -> 17.
TEST_F(EvaluateCartTest, RoundsPerLineHalfUp) {
  auto result = evaluate(conn(), kStatement, "it-customer",
                         cart_json({{"TSHIRT", 3, 2500}, {"STICKER", 1, 333}}));
  EXPECT_EQ(result.at("subtotal"), 7833);
  EXPECT_EQ(result.at("discount"), 392);
  EXPECT_EQ(result.at("total"), 7441);
  ASSERT_EQ(result.at("items").size(), 2u);
  EXPECT_EQ(result.at("items")[0].at("discount"), 375);
  EXPECT_EQ(result.at("items")[1].at("discount"), 17);
}

}  // namespace
}  // namespace promo_it
