// Two connections, as two application servers: A evaluates carts (and so holds promo's compiled
// promotions in its backend cache), B changes the definitions and commits. A's very next call
// must see B's change: the cache is invalidated on commit, not on a timer.
#include "database_fixture.hpp"

namespace promo_it {
namespace {

constexpr const char* kStatement = "promo_it_evaluate_cart";

class DefinitionChangeTest : public DatabaseTest {
 protected:
  // Creates the T2 promotion through B and prepares the evaluation on A.
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    a_ = connect();
    b_ = connect();
    promotion_ = unique_name("spend-more");
    create_promotion(*b_, promotion_);
    create_tier(*b_, promotion_, "5% from $50", "subtotal >= 50.00", R"({"percent_off": 5})");
    create_tier(*b_, promotion_, "10% from $100", "subtotal >= 100.00", R"({"percent_off": 10})");
    a_->prepare(kStatement, "SELECT promo.evaluate_cart($1, $2::jsonb)");
  }

  // A's discount for 3 x 25.00 (subtotal 7500).
  long long discount_seen_by_a() {
    return evaluate(*a_, kStatement, "it-customer", cart_json({{"TSHIRT", 3, 2500}}))
        .at("discount")
        .get<long long>();
  }

  std::unique_ptr<pqxx::connection> a_;
  std::unique_ptr<pqxx::connection> b_;
  std::string promotion_;
};

// B raises the 5% tier to 8%: A's next call gives 600 instead of 375.
TEST_F(DefinitionChangeTest, UpdatedTierIsSeenByTheOtherConnectionAtOnce) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(discount_seen_by_a(), 375);

  pqxx::work tx{*b_};
  tx.exec_params(
      "UPDATE promo.tiers SET discount = '{\"percent_off\": 8}'::jsonb "
      "WHERE promotion = $1 AND name = '5% from $50'",
      promotion_);
  tx.commit();

  EXPECT_EQ(discount_seen_by_a(), 600);
}

// B adds a second promotion ($1.00 off from $10): it stacks after the first, so A's next call
// gives 375 + 100.
TEST_F(DefinitionChangeTest, NewPromotionIsSeenByTheOtherConnectionAtOnce) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(discount_seen_by_a(), 375);

  const std::string second = unique_name("one-off");
  create_promotion(*b_, second);
  create_tier(*b_, second, "$1 off from $10", "subtotal >= 10.00", R"({"amount_off": 100})");

  auto result = evaluate(*a_, kStatement, "it-customer", cart_json({{"TSHIRT", 3, 2500}}));
  EXPECT_EQ(result.at("discount"), 475) << result.dump();
  EXPECT_EQ(result.at("total"), 7025);
  auto applied = applied_entry(result, second);
  ASSERT_FALSE(applied.is_null()) << result.dump();
  EXPECT_EQ(applied.at("discount"), 100);
}

// A change B rolls back is never seen by A.
TEST_F(DefinitionChangeTest, RolledBackChangeIsNotSeen) {
  ASSERT_EQ(discount_seen_by_a(), 375);
  {
    pqxx::work tx{*b_};
    tx.exec_params(
        "UPDATE promo.tiers SET discount = '{\"percent_off\": 8}'::jsonb WHERE promotion = $1",
        promotion_);
    EXPECT_EQ(discount_seen_by_a(), 375);  // not committed yet
    tx.abort();
  }
  EXPECT_EQ(discount_seen_by_a(), 375);
}

}  // namespace
}  // namespace promo_it
