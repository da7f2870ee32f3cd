// 32 connections, as 32 checkout servers, redeem at the same time for a few seconds against
// limits, then the invariants are checked against the stored rows:
//   (a) every connection redeems the same once-per-customer promotion for the same customer,
//       each call with a new order id: it is granted exactly once;
//   (b) every connection redeems a promotion with total_limit 100 for ever new customers: it is
//       granted exactly 100 times, under READ COMMITTED and under REPEATABLE READ (where a
//       serialization failure, 40001, is retried as a whole, as an application would).
// Invariants afterwards: live redemptions = grants seen by the clients = the sum of the
// total-limit slots' used counts (b) = the sum of customer usage (a); no customer above the
// per-customer limit; every redeem call that committed left exactly one order.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "database_fixture.hpp"

namespace promo_it {
namespace {

constexpr int kConnections = 32;
constexpr auto kDuration = std::chrono::seconds(4);
constexpr int kMaxAttemptsPerRedeem = 100;
constexpr long long kTotalLimit = 100;

// What one connection did, reported back to the test thread.
struct ClientReport {
  long long calls = 0;    // redeem calls that committed
  long long grants = 0;   // of which the promotion was applied
  long long retried = 0;  // serialization failures retried
  std::string error;      // anything else that went wrong
};

class RedemptionStressTest : public DatabaseTest {
 protected:
  // Removes what the test's redemptions left (orders, redemptions, counters) before the
  // fixture deletes the promotions.
  void TearDown() override {
    if (!promotion_.empty()) {
      try {
        auto cleanup = connect();
        pqxx::work tx{*cleanup};
        const std::string pattern = unique_name("") + "%";
        tx.exec_params("DELETE FROM promo.redemptions WHERE promotion LIKE $1", pattern);
        tx.exec_params("DELETE FROM promo.customer_usage WHERE promotion LIKE $1", pattern);
        tx.exec_params("DELETE FROM promo.orders WHERE order_id LIKE $1", pattern);
        tx.exec_params("DELETE FROM promo.promotion_slots WHERE promotion LIKE $1", pattern);
        tx.commit();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "could not delete the test's redemptions: " << e.what();
      }
    }
    DatabaseTest::TearDown();
  }

  // Creates the test's promotion ($1.00 off any cart) with the given limit columns.
  void create_limited_promotion(const std::string& limits_sql) {
    promotion_ = unique_name("limited");
    create_promotion(conn(), promotion_);
    {
      pqxx::work tx{conn()};
      tx.exec_params("UPDATE promo.promotions SET " + limits_sql + " WHERE name = $1", promotion_);
      tx.commit();
    }
    create_tier(conn(), promotion_, "$1 off", "true", R"({"amount_off": 100})");
  }

  // One client: until the deadline, redeem for customer_of(call number) with a new order id
  // per call, at the given isolation level; a 40001 is retried with the same order id.
  ClientReport run_client(int client, bool repeatable_read,
                          std::chrono::steady_clock::time_point deadline,
                          const std::function<std::string(int, long long)>& customer_of) {
    ClientReport report;
    try {
      auto conn = connect();
      conn->prepare("redeem", "SELECT promo.redeem($1, $2::jsonb, $3)");
      const std::string cart = cart_json({{"SKU-1", 1, 1000}});
      std::mt19937 backoff{static_cast<unsigned>(client) + 1};
      for (long long n = 0; std::chrono::steady_clock::now() < deadline; ++n) {
        const std::string customer = customer_of(client, n);
        const std::string order =
            unique_name("order-" + std::to_string(client) + "-" + std::to_string(n));
        for (int attempt = 1;; ++attempt) {
          try {
            pqxx::work tx{*conn};
            if (repeatable_read) tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            pqxx::result rows = tx.exec_prepared("redeem", customer, cart, order);
            tx.commit();
            const auto result = nlohmann::json::parse(rows[0][0].c_str());
            ++report.calls;
            if (!applied_entry(result, promotion_).is_null()) ++report.grants;
            break;
          } catch (const pqxx::serialization_failure&) {
            ++report.retried;
            if (attempt == kMaxAttemptsPerRedeem) {
              report.error = "40001 " + std::to_string(attempt) + " times in a row";
              return report;
            }
            // Back off for a random while before retrying, as an application would, so a
            // client stops colliding with the same others.
            std::uniform_int_distribution<int> pause_us{0, 200 << std::min(attempt, 5)};
            std::this_thread::sleep_for(std::chrono::microseconds(pause_us(backoff)));
          }
        }
      }
    } catch (const std::exception& e) {
      report.error = e.what();
    }
    return report;
  }

  // Runs kConnections clients for kDuration and returns their summed report (failing the test
  // on any client error).
  ClientReport run_all(bool repeatable_read,
                       const std::function<std::string(int, long long)>& customer_of) {
    const auto deadline = std::chrono::steady_clock::now() + kDuration;
    std::vector<ClientReport> reports(kConnections);
    std::vector<std::thread> clients;
    for (int i = 0; i < kConnections; ++i) {
      clients.emplace_back(
          [&, i] { reports[i] = run_client(i, repeatable_read, deadline, customer_of); });
    }
    for (auto& client : clients) client.join();
    ClientReport total;
    for (int i = 0; i < kConnections; ++i) {
      EXPECT_EQ(reports[i].error, "") << "client " << i;
      EXPECT_GT(reports[i].calls, 0) << "client " << i << " got no redeem through";
      total.calls += reports[i].calls;
      total.grants += reports[i].grants;
      total.retried += reports[i].retried;
    }
    std::cout << "[ figures  ] " << total.calls << " redeem calls committed, " << total.grants
              << " granted, " << total.retried << " retried after 40001\n";
    return total;
  }

  // A single number from a query with one text parameter $1 (the promotion by default).
  long long number(const std::string& sql, const std::string& parameter = {}) {
    pqxx::work tx{conn()};
    auto rows = tx.exec_params(sql, parameter.empty() ? promotion_ : parameter);
    return rows[0][0].as<long long>();
  }

  // The invariants shared by every case; `grants` is what the clients saw. Customer usage is
  // counted only for promotions with a per-customer limit (usage_counted).
  void check_invariants(const ClientReport& total, bool usage_counted) {
    const long long live = number(
        "SELECT count(*) FROM promo.redemptions WHERE promotion = $1 AND rolled_back_at IS NULL"
        "");
    EXPECT_EQ(live, total.grants) << "live redemptions vs grants the clients saw";
    if (usage_counted) {
      EXPECT_EQ(number("SELECT coalesce(sum(used), 0) FROM promo.customer_usage"
                       " WHERE promotion = $1"),
                live)
          << "customer usage vs live redemptions";
    }
    EXPECT_EQ(number("SELECT count(*) FROM promo.orders WHERE order_id LIKE $1",
                     unique_name("order-") + "%"),
              total.calls)
        << "orders vs committed redeem calls";
    EXPECT_EQ(number("SELECT count(*) FROM promo.redemptions r"
                     " LEFT JOIN promo.orders o ON o.order_id = r.order_id"
                     " WHERE r.promotion = $1 AND (o.order_id IS NULL"
                     "    OR o.customer_id IS DISTINCT FROM r.customer_id)"),
              0)
        << "redemptions without their order";
  }

  std::string promotion_;
};

// (a) 32 sessions, one customer, a once-per-customer promotion: exactly one grant.
TEST_F(RedemptionStressTest, SameCustomerOncePerCustomerIsGrantedOnce) {
  create_limited_promotion("per_customer_limit = 1");
  const std::string customer = unique_name("the-customer");
  const auto total = run_all(false, [&](int, long long) { return customer; });
  EXPECT_EQ(total.grants, 1);
  check_invariants(total, true);
  EXPECT_EQ(number("SELECT max(n) FROM (SELECT count(*) AS n FROM promo.redemptions"
                   " WHERE promotion = $1 AND rolled_back_at IS NULL"
                   " GROUP BY customer_id) c"),
            1);
}

// (b) distinct customers on total_limit 100: exactly 100 grants, READ COMMITTED.
TEST_F(RedemptionStressTest, TotalLimitIsExactUnderReadCommitted) {
  create_limited_promotion("total_limit = " + std::to_string(kTotalLimit));
  const auto total = run_all(false, [&](int client, long long n) {
    return unique_name("c-" + std::to_string(client) + "-" + std::to_string(n));
  });
  ASSERT_GT(total.calls, kTotalLimit) << "too few calls to reach the limit";
  EXPECT_EQ(total.grants, kTotalLimit);
  check_invariants(total, false);
  EXPECT_EQ(number("SELECT coalesce(sum(used), 0) FROM promo.promotion_slots"
                   " WHERE promotion = $1"),
            kTotalLimit);
  EXPECT_EQ(number("SELECT count(*) FROM promo.promotion_slots"
                   " WHERE promotion = $1 AND used > cap"),
            0);
}

// (b) the same under REPEATABLE READ, 40001 retried: exactly 100 grants.
TEST_F(RedemptionStressTest, TotalLimitIsExactUnderRepeatableRead) {
  create_limited_promotion("total_limit = " + std::to_string(kTotalLimit));
  const auto total = run_all(true, [&](int client, long long n) {
    return unique_name("c-" + std::to_string(client) + "-" + std::to_string(n));
  });
  ASSERT_GT(total.calls, kTotalLimit) << "too few calls to reach the limit";
  EXPECT_EQ(total.grants, kTotalLimit);
  check_invariants(total, false);
  EXPECT_EQ(number("SELECT coalesce(sum(used), 0) FROM promo.promotion_slots"
                   " WHERE promotion = $1"),
            kTotalLimit);
}

}  // namespace
}  // namespace promo_it
