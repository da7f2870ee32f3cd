// Connection handling, skipping and clean-up shared by the integration tests (see the header).
#include "database_fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <sstream>

namespace promo_it {

// libpq reads every other parameter from the PG* environment variables; only the timeout is
// fixed here, so an unreachable host fails fast instead of hanging the test run.
std::unique_ptr<pqxx::connection> connect() {
  return std::make_unique<pqxx::connection>("connect_timeout=5 application_name=promo_it");
}

// Connects once and remembers the outcome, so a missing server costs one timeout, not one per
// test.
const std::optional<std::string>& server_unreachable_reason() {
  static const std::optional<std::string> reason = []() -> std::optional<std::string> {
    try {
      auto conn = connect();
      pqxx::nontransaction tx{*conn};
      tx.exec("SELECT 1");
      return std::nullopt;
    } catch (const std::exception& e) {
      return std::string{e.what()};
    }
  }();
  return reason;
}

// Builds the cart text by hand (no JSON library needed for three fields) in kCurrency.
std::string cart_json(std::initializer_list<std::tuple<std::string, long long, long long>> lines) {
  std::ostringstream out;
  out << R"({"currency": ")" << kCurrency << R"(", "items": [)";
  bool first = true;
  for (const auto& [sku, quantity, unit_price] : lines) {
    out << (first ? "" : ", ") << R"({"sku": ")" << sku << R"(", "quantity": )" << quantity
        << R"(, "unit_price": )" << unit_price << "}";
    first = false;
  }
  out << "]}";
  return out.str();
}

// A prefix no other run shares: process id, start time and a per-process counter.
static std::string new_run_prefix() {
  static std::atomic<int> counter{0};
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  std::ostringstream out;
  out << "it-" << getpid() << "-" << micros << "-" << counter++ << "-";
  return out.str();
}

// Skips without a server; otherwise opens the fixture's connection and makes sure the extension
// exists in the target database (a test run against a fresh database needs no manual step).
void DatabaseTest::SetUp() {
  if (const auto& reason = server_unreachable_reason()) {
    GTEST_SKIP() << "no PostgreSQL server reachable through the PG* environment variables "
                    "(PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE); run scripts/test.sh, or "
                    "point them at a server with promo installed. libpq said: "
                 << *reason;
  }
  conn_ = connect();
  pqxx::work tx{*conn_};
  tx.exec("CREATE EXTENSION IF NOT EXISTS promo");
  tx.commit();
  prefix_ = new_run_prefix();
}

// Deletes what the test created, on a fresh connection (the test's own may be mid-error).
void DatabaseTest::TearDown() {
  if (prefix_.empty()) return;
  try {
    auto cleanup = connect();
    pqxx::work tx{*cleanup};
    const std::string pattern = prefix_ + "%";
    tx.exec_params("DELETE FROM promo.tiers WHERE promotion LIKE $1", pattern);
    tx.exec_params("DELETE FROM promo.promotions WHERE name LIKE $1", pattern);
    tx.commit();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "could not delete the test's promotions (" << prefix_ << "*): " << e.what();
  }
}

std::string DatabaseTest::unique_name(const std::string& suffix) const {
  return prefix_ + suffix;
}

void DatabaseTest::create_promotion(pqxx::connection& conn, const std::string& name) {
  pqxx::work tx{conn};
  tx.exec_params("INSERT INTO promo.promotions (name, currency) VALUES ($1, $2)", name,
                 std::string{kCurrency});
  tx.commit();
}

void DatabaseTest::create_tier(pqxx::connection& conn, const std::string& promotion,
                               const std::string& tier, const std::string& condition,
                               const std::string& discount_json) {
  pqxx::work tx{conn};
  tx.exec_params(
      "INSERT INTO promo.tiers (promotion, name, condition, discount) "
      "VALUES ($1, $2, $3, $4::jsonb)",
      promotion, tier, condition, discount_json);
  tx.commit();
}

nlohmann::json evaluate(pqxx::connection& conn, const std::string& statement,
                        const std::string& customer, const std::string& cart) {
  pqxx::work tx{conn};
  pqxx::result rows = tx.exec_prepared(statement, customer, cart);
  tx.commit();
  if (rows.size() != 1 || rows[0].size() != 1 || rows[0][0].is_null()) {
    throw std::runtime_error("promo.evaluate_cart returned no single non-null value");
  }
  return nlohmann::json::parse(rows[0][0].c_str());
}

nlohmann::json applied_entry(const nlohmann::json& result, const std::string& promotion) {
  for (const auto& entry : result.at("applied")) {
    if (entry.at("promotion") == promotion) return entry;
  }
  return nullptr;
}

}  // namespace promo_it
