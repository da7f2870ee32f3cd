// Several connections, as several application servers, insert events for an overlapping set of
// customers at the same time for a few seconds, under READ COMMITTED and REPEATABLE READ, and
// retry the transactions promo aborts with a serialization failure (40001). Afterwards the
// stored segment membership must equal a from-scratch evaluation: promo.verify_segments() is
// empty, and an independent oracle computed in plain SQL from the events agrees with the rows
// of a segment whose membership is easy to state ("ever abandoned": one open-ended interval
// from the first abandonment).
#include <algorithm>
#include <chrono>
#include <iostream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include "database_fixture.hpp"

namespace promo_it {
namespace {

constexpr int kConnections = 4;
constexpr int kCustomers = 6;
constexpr auto kDuration = std::chrono::seconds(4);
// A REPEATABLE READ writer whose snapshot predates another writer's commit for the same
// customers must retry (40001). Like an application, it backs off for a random while before
// retrying, so that it stops colliding with the same writers; without the pause a writer can
// lose dozens of times in a row on a busy machine.
constexpr int kMaxAttemptsPerTransaction = 200;

// What one writer did, reported back to the test thread.
struct WriterReport {
  int committed = 0;
  int serialization_failures = 0;
  std::string error;  // set when something other than a 40001 went wrong
};

class SegmentsConcurrencyTest : public DatabaseTest {
 protected:
  // Defines the test's segments (names under the run's unique prefix) on a fresh database
  // state for its customers.
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    prefix_ = unique_name("");
    pqxx::work tx{conn()};
    const std::string sql =
        "INSERT INTO promo.segments (name, definition) VALUES "
        "($1, 'last(''cart_abandoned'') > last(''order_placed'')'), "
        "($2, 'count(''cart_abandoned'') >= 1'), "
        "($3, 'count(''order_placed'', since => start_of_week()) >= 2'), "
        "($4, 'in_segment(''' || $1 || ''') and count(''coupon_redeemed'') >= 1')";
    tx.exec_params(sql, abandoned(), ever_abandoned(), prefix_ + "two-orders-this-week",
                   prefix_ + "abandoned-redeemer");
    tx.commit();
  }

  // Removes the test's events, customers and segments (membership goes with them).
  void TearDown() override {
    if (!prefix_.empty()) {
      try {
        auto cleanup = connect();
        pqxx::work tx{*cleanup};
        const std::string pattern = prefix_ + "%";
        tx.exec_params("DELETE FROM promo.events WHERE customer_id LIKE $1", pattern);
        tx.exec_params("DELETE FROM promo.customers WHERE customer_id LIKE $1", pattern);
        // Dependents first: the abandoned-redeemer segment reads the abandoned one.
        tx.exec_params("DELETE FROM promo.segments WHERE name = $1",
                       prefix_ + "abandoned-redeemer");
        tx.exec_params("DELETE FROM promo.segments WHERE name LIKE $1", pattern);
        tx.commit();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "could not delete the test's segments and events: " << e.what();
      }
    }
    DatabaseTest::TearDown();
  }

  std::string abandoned() const { return prefix_ + "abandoned"; }
  std::string ever_abandoned() const { return prefix_ + "ever-abandoned"; }
  std::string customer(int i) const { return prefix_ + "customer-" + std::to_string(i); }

  // One writer: until the deadline, transactions of one INSERT of 1..3 events for random
  // customers of the shared set (a random event type, a random instant in November 2026), at a
  // random isolation level; a transaction aborted with 40001 is retried as a whole.
  WriterReport write_events(unsigned seed, std::chrono::steady_clock::time_point deadline) {
    WriterReport report;
    try {
      auto conn = connect();
      std::mt19937 random{seed};
      std::uniform_int_distribution<int> pick_customer{0, kCustomers - 1};
      std::uniform_int_distribution<int> pick_type{0, 3};
      std::uniform_int_distribution<int> pick_minute{0, 30 * 24 * 60 - 1};
      std::uniform_int_distribution<int> pick_rows{1, 3};
      std::bernoulli_distribution repeatable_read{0.5};
      static const char* const kTypes[] = {"cart_abandoned", "order_placed", "coupon_redeemed",
                                           "page_view"};
      while (std::chrono::steady_clock::now() < deadline) {
        std::ostringstream insert;
        insert << "INSERT INTO promo.events (customer_id, type, occurred_at) VALUES ";
        const int rows = pick_rows(random);
        for (int r = 0; r < rows; ++r) {
          insert << (r ? ", " : "") << "('" << customer(pick_customer(random)) << "', '"
                 << kTypes[pick_type(random)] << "', timestamptz '2026-11-01 00:00+00' + "
                 << pick_minute(random) << " * interval '1 minute')";
        }
        const bool rr = repeatable_read(random);
        for (int attempt = 1;; ++attempt) {
          try {
            pqxx::work tx{*conn};
            if (rr) tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            tx.exec(insert.str());
            tx.commit();
            ++report.committed;
            break;
          } catch (const pqxx::serialization_failure&) {
            ++report.serialization_failures;
            if (attempt == kMaxAttemptsPerTransaction) {
              report.error =
                  "a transaction failed with 40001 " + std::to_string(attempt) + " times in a row";
              return report;
            }
            std::uniform_int_distribution<int> pause_us{0, 200 << std::min(attempt, 5)};
            std::this_thread::sleep_for(std::chrono::microseconds(pause_us(random)));
          }
        }
      }
    } catch (const std::exception& e) {
      report.error = e.what();
    }
    return report;
  }

  std::string prefix_;
};

// The four writers' work leaves membership equal to a from-scratch evaluation.
TEST_F(SegmentsConcurrencyTest, ConcurrentEventInsertsLeaveExactMembership) {
  const auto deadline = std::chrono::steady_clock::now() + kDuration;
  std::vector<WriterReport> reports(kConnections);
  std::vector<std::thread> writers;
  for (int i = 0; i < kConnections; ++i) {
    writers.emplace_back([&, i] { reports[i] = write_events(1000 + i, deadline); });
  }
  for (auto& writer : writers) writer.join();

  int committed = 0;
  int retried = 0;
  for (int i = 0; i < kConnections; ++i) {
    EXPECT_EQ(reports[i].error, "") << "writer " << i;
    committed += reports[i].committed;
    retried += reports[i].serialization_failures;
  }
  // Every writer got work done; the figures help when reading a failure.
  for (int i = 0; i < kConnections; ++i) EXPECT_GT(reports[i].committed, 0) << "writer " << i;
  std::cout << "[ figures  ] " << committed << " transactions committed, " << retried
            << " retried after a serialization failure (40001)\n";

  pqxx::work tx{conn()};
  // The from-scratch recomputation finds nothing to correct.
  pqxx::result problems = tx.exec(
      "SELECT segment, customer_id, problem, expected, stored FROM promo.verify_segments()");
  for (const auto& row : problems) {
    ADD_FAILURE() << "verify_segments: " << row[0].c_str() << " / " << row[1].c_str() << ": "
                  << row[2].c_str() << " (expected " << (row[3].is_null() ? "" : row[3].c_str())
                  << ", stored " << (row[4].is_null() ? "" : row[4].c_str()) << ")";
  }
  EXPECT_EQ(problems.size(), 0u);

  // Independent oracle: "ever abandoned" is [first abandonment, infinity) for each customer
  // with an abandonment, and nothing else.
  pqxx::result mismatches = tx.exec_params(
      "WITH expected AS ("
      "  SELECT customer_id, min(occurred_at) AS valid_from, 'infinity'::timestamptz AS valid_until"
      "    FROM promo.events WHERE customer_id LIKE $1 AND type = 'cart_abandoned'"
      "   GROUP BY customer_id),"
      " stored AS ("
      "  SELECT customer_id, valid_from, valid_until FROM promo.segment_membership"
      "   WHERE segment = $2)"
      " SELECT count(*) FROM ((TABLE expected EXCEPT ALL TABLE stored)"
      "                      UNION ALL (TABLE stored EXCEPT ALL TABLE expected)) d",
      prefix_ + "%", ever_abandoned());
  EXPECT_EQ(mismatches[0][0].as<long long>(), 0);

  // The writers did produce history for every customer (so the checks above had work to do).
  pqxx::result customers = tx.exec_params(
      "SELECT count(DISTINCT customer_id) FROM promo.events WHERE customer_id LIKE $1",
      prefix_ + "%");
  EXPECT_EQ(customers[0][0].as<int>(), kCustomers) << committed << " transactions committed";
  tx.commit();
}

}  // namespace
}  // namespace promo_it
