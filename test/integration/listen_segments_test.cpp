// NOTIFY promo_segments as an application sees it: one connection LISTENs, another records
// events through promo.track and deletes them; the listener receives {customer, segment,
// change: entered|left, at} for each membership change the events cause, once per change, and
// nothing for an event that changes no membership.
#include "database_fixture.hpp"

#include <pqxx/notification>

#include <chrono>
#include <vector>

namespace promo_it {
namespace {

// Collects the payloads of promo_segments notifications that name `customer`.
class SegmentListener final : public pqxx::notification_receiver {
 public:
  SegmentListener(pqxx::connection& conn, std::string customer)
      : pqxx::notification_receiver(conn, "promo_segments"), customer_(std::move(customer)) {}

  void operator()(const std::string& payload, int) override {
    nlohmann::json parsed = nlohmann::json::parse(payload);
    if (parsed.value("customer", "") == customer_) received.push_back(parsed);
  }

  std::vector<nlohmann::json> received;

 private:
  std::string customer_;
};

class ListenSegmentsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped()) return;
    listener_conn_ = connect();
    segment_ = unique_name("listen-segment");
    type_ = unique_name("listen_event");
    customer_ = unique_name("listen-customer");
    pqxx::work tx(conn());
    tx.exec_params("INSERT INTO promo.segments (name, definition) VALUES ($1, $2)", segment_,
                   "count('" + type_ + "') >= 1");
    tx.commit();
  }

  void TearDown() override {
    if (!IsSkipped()) {
      pqxx::work tx(conn());
      tx.exec_params("DELETE FROM promo.events WHERE customer_id = $1", customer_);
      tx.exec_params("DELETE FROM promo.segments WHERE name = $1", segment_);
      tx.commit();
    }
    DatabaseTest::TearDown();
  }

  // Waits up to two seconds for notifications, returning once `count` have arrived.
  void wait_for(SegmentListener& listener, size_t count) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (listener.received.size() < count && std::chrono::steady_clock::now() < deadline) {
      listener_conn_->await_notification(0, 100000);
    }
  }

  nlohmann::json track(const std::string& type) {
    pqxx::work tx(conn());
    nlohmann::json result = nlohmann::json::parse(
        tx.exec_params1("SELECT promo.track($1, $2)::text", customer_, type)[0].as<std::string>());
    tx.commit();
    return result;
  }

  std::unique_ptr<pqxx::connection> listener_conn_;
  std::string segment_, type_, customer_;
};

TEST_F(ListenSegmentsTest, EnteredAndLeftAreAnnouncedForTheEventsThatCauseThem) {
  SegmentListener listener(*listener_conn_, customer_);

  nlohmann::json first = track(type_);
  EXPECT_EQ(first.at("entered"), nlohmann::json::array({segment_}));
  wait_for(listener, 1);
  ASSERT_EQ(listener.received.size(), 1u);
  EXPECT_EQ(listener.received[0].at("segment"), segment_);
  EXPECT_EQ(listener.received[0].at("change"), "entered");
  EXPECT_TRUE(listener.received[0].contains("at"));

  // A second event of the same type changes no membership: nothing is announced.
  nlohmann::json second = track(type_);
  EXPECT_EQ(second.at("entered"), nlohmann::json::array());
  wait_for(listener, 2);
  EXPECT_EQ(listener.received.size(), 1u);

  // Deleting the events takes the customer out of the segment: one "left" for the statement.
  {
    pqxx::work tx(conn());
    tx.exec_params("DELETE FROM promo.events WHERE customer_id = $1", customer_);
    tx.commit();
  }
  wait_for(listener, 2);
  ASSERT_EQ(listener.received.size(), 2u);
  EXPECT_EQ(listener.received[1].at("segment"), segment_);
  EXPECT_EQ(listener.received[1].at("change"), "left");
}

// A rolled-back event announces nothing (NOTIFY is sent on commit only).
TEST_F(ListenSegmentsTest, RolledBackEventsAnnounceNothing) {
  SegmentListener listener(*listener_conn_, customer_);
  {
    pqxx::work tx(conn());
    tx.exec_params("SELECT promo.track($1, $2)", customer_, type_);
    tx.abort();
  }
  wait_for(listener, 1);
  EXPECT_TRUE(listener.received.empty());
}

}  // namespace
}  // namespace promo_it
