// Shared set-up for the libpqxx integration tests: they talk to a running PostgreSQL server the
// way an application does, through libpq and the standard PG* environment variables (PGHOST,
// PGPORT, PGUSER, PGPASSWORD, PGDATABASE). scripts/test.sh runs them inside a throwaway cluster.
//
// When no server is reachable every test is skipped (GTEST_SKIP, counted as skipped by ctest)
// with a message saying how to point the tests at one. Each test creates its own promotions
// under a name prefix unique to the test run and deletes them afterwards, so the tests can run
// against a database that holds other data. They use the currency CHF, which promo's examples
// and regression tests do not use, so that no other active promotion changes the exact amounts
// the tests expect.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <tuple>

namespace promo_it {

// The currency every integration test promotion and cart uses (see the file comment).
inline constexpr const char* kCurrency = "CHF";

// Opens a new connection from the PG* environment variables; throws pqxx::broken_connection
// when the server cannot be reached within a few seconds.
std::unique_ptr<pqxx::connection> connect();

// Returns why no server can be reached, or nullopt when one can. Tried once per process.
const std::optional<std::string>& server_unreachable_reason();

// A cart in kCurrency with one line per (sku, quantity, unit_price), as JSON text.
std::string cart_json(std::initializer_list<std::tuple<std::string, long long, long long>> lines);

// Base fixture: skips without a server, creates the extension if it is missing, hands out
// unique promotion names and deletes every promotion (and its tiers) created under them.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A promotion name unique to this test run: "<run prefix><suffix>".
  std::string unique_name(const std::string& suffix) const;

  // Inserts a promotion in kCurrency and commits, on its own short transaction.
  void create_promotion(pqxx::connection& conn, const std::string& name);

  // Inserts a tier of `promotion` and commits.
  void create_tier(pqxx::connection& conn, const std::string& promotion, const std::string& tier,
                   const std::string& condition, const std::string& discount_json);

  // The fixture's own connection, open for the whole test.
  pqxx::connection& conn() { return *conn_; }

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::string prefix_;
};

// Runs SELECT promo.evaluate_cart(customer, cart) through the prepared statement `statement`
// (which the caller prepared on `conn`) in its own transaction and returns the parsed result.
nlohmann::json evaluate(pqxx::connection& conn, const std::string& statement,
                        const std::string& customer, const std::string& cart);

// The entry of result["applied"] for `promotion`, or a null json when it did not apply.
nlohmann::json applied_entry(const nlohmann::json& result, const std::string& promotion);

}  // namespace promo_it
