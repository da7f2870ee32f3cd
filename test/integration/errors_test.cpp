// Errors reach the client with their SQLSTATE and a message naming the offending path and
// value, and the connection stays usable afterwards (the server-side error bridge cleans up).
#include "database_fixture.hpp"

namespace promo_it {
namespace {

constexpr const char* kStatement = "promo_it_evaluate_cart";

class ErrorsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    promotion_ = unique_name("spend-more");
    create_promotion(conn(), promotion_);
    create_tier(conn(), promotion_, "5% from $50", "subtotal >= 50.00", R"({"percent_off": 5})");
    conn().prepare(kStatement, "SELECT promo.evaluate_cart($1, $2::jsonb)");
  }

  // Runs `action`, expecting a pqxx::sql_error; returns it (SQLSTATE and message).
  template <class Action>
  std::pair<std::string, std::string> expect_sql_error(Action action) {
    try {
      action();
    } catch (const pqxx::sql_error& e) {
      return {e.sqlstate(), e.what()};
    }
    ADD_FAILURE() << "no error was raised";
    return {};
  }

  // The connection still works: a valid cart evaluates to the exact 5% discount.
  void expect_connection_usable() {
    ASSERT_TRUE(conn().is_open());
    auto result = evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", 3, 2500}}));
    EXPECT_EQ(result.at("discount"), 375);
  }

  std::string promotion_;
};

TEST_F(ErrorsTest, BadCartQuantityIs22023AndNamesThePath) {
  auto [state, message] = expect_sql_error([&] {
    evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", -2, 2500}}));
  });
  EXPECT_EQ(state, "22023");
  EXPECT_NE(message.find("cart.items[0].quantity must be a positive integer, got -2"),
            std::string::npos)
      << message;
  expect_connection_usable();
  // And again, through the same prepared statement: the error did not poison it.
  auto [state2, message2] = expect_sql_error([&] {
    evaluate(conn(), kStatement, "it-customer", cart_json({{"TSHIRT", -2, 2500}}));
  });
  EXPECT_EQ(state2, "22023");
  expect_connection_usable();
}

TEST_F(ErrorsTest, MalformedCartIs22023) {
  auto [state, message] = expect_sql_error([&] {
    evaluate(conn(), kStatement, "it-customer",
             R"({"currency": "CHF", "items": [{"sku": "TSHIRT", "quantity": 1}]})");
  });
  EXPECT_EQ(state, "22023");
  EXPECT_NE(message.find("cart.items[0].unit_price"), std::string::npos) << message;
  expect_connection_usable();
}

TEST_F(ErrorsTest, UnknownDiscountKeyIsRejectedOnInsert) {
  auto [state, message] = expect_sql_error([&] {
    create_tier(conn(), promotion_, "typo", "subtotal >= 10.00", R"({"percnt_off": 5})");
  });
  EXPECT_EQ(state, "22023");
  EXPECT_NE(message.find("discount: unknown key 'percnt_off'"), std::string::npos) << message;
  expect_connection_usable();
}

TEST_F(ErrorsTest, UnknownFunctionInConditionIsRejectedWithItsPosition) {
  auto [state, message] = expect_sql_error([&] {
    create_tier(conn(), promotion_, "typo", "subtotl >= 10.00", R"({"percent_off": 5})");
  });
  EXPECT_EQ(state.substr(0, 2), "42") << "a syntax or name error class, got " << state;
  EXPECT_NE(message.find("subtotl"), std::string::npos) << message;
  EXPECT_NE(message.find("1:1"), std::string::npos) << message;
  expect_connection_usable();
}

}  // namespace
}  // namespace promo_it
