// Example mailer for promo's outbox: LISTENs on promo_outbox, takes pending messages with
// promo.claim_outbox(n), "sends" each one by printing it as a mailer would, and confirms it with
// promo.ack_outbox(id). A message that is claimed but never acked (the worker died mid-send)
// is handed out again once its claim times out, so delivery is at least once: a real mailer
// should skip an outbox id it has already sent.
//
//   outbox_worker [--once] [--idle-seconds N] [--batch N] [--claim-timeout '5 minutes']
//                 [connection string]
//
// --once: drain what is pending now and exit. Otherwise it waits for NOTIFY promo_outbox and
// exits after --idle-seconds (default 30) without a message, so it is bounded in time (run it
// under a supervisor, or from cron, to keep it going). The connection string defaults to the
// PG* environment variables. Needs a role that may run claim_outbox/ack_outbox (promo_app).
// Exit status: 0 when it ran out of work, 1 on a database error, 2 on bad arguments.
#include <pqxx/pqxx>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

namespace {

struct Options {
  bool once = false;
  long idle_seconds = 30;
  int batch = 10;
  std::string claim_timeout = "5 minutes";
  std::string connection;
};

// Parses the command line; nullopt (after a message on stderr) when it is not understood.
std::optional<Options> parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--once") {
      options.once = true;
    } else if (arg == "--idle-seconds" && has_value) {
      options.idle_seconds = std::strtol(argv[++i], nullptr, 10);
    } else if (arg == "--batch" && has_value) {
      options.batch = static_cast<int>(std::strtol(argv[++i], nullptr, 10));
    } else if (arg == "--claim-timeout" && has_value) {
      options.claim_timeout = argv[++i];
    } else if (!arg.empty() && arg[0] != '-' && options.connection.empty()) {
      options.connection = arg;
    } else {
      std::cerr << "outbox_worker: unknown or incomplete argument '" << arg << "'\n";
      return std::nullopt;
    }
  }
  if (options.idle_seconds < 0 || options.batch <= 0) {
    std::cerr << "outbox_worker: --idle-seconds must be >= 0 and --batch > 0\n";
    return std::nullopt;
  }
  return options;
}

// Counts NOTIFY promo_outbox wake-ups; the payload (an outbox id) is not needed, since
// claim_outbox takes whatever is pending, including rows whose claim timed out.
class OutboxListener final : public pqxx::notification_receiver {
 public:
  explicit OutboxListener(pqxx::connection_base& conn)
      : pqxx::notification_receiver(conn, "promo_outbox") {}
  void operator()(const std::string& /*payload*/, int /*backend_pid*/) override { ++wakeups_; }
  long wakeups() const { return wakeups_; }

 private:
  long wakeups_ = 0;
};

// What a mailer would send: the channel, the recipient, the template fields and the code.
void send_message(long long id, const std::string& channel, const std::string& customer,
                  const std::string& payload_text) {
  const nlohmann::json payload = nlohmann::json::parse(payload_text);
  std::cout << "outbox " << id << ": " << channel << " to " << customer << "\n";
  if (payload.contains("template") && payload["template"].is_object()) {
    for (const auto& [key, value] : payload["template"].items()) {
      std::cout << "  " << key << ": "
                << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
  }
  if (payload.contains("code")) {
    std::cout << "  code: " << payload["code"].get<std::string>() << " ("
              << payload.value("promotion", std::string{"?"}) << ")\n";
  }
  std::cout << std::flush;
}

// Claims one batch (its own transaction, so the claim is visible to other workers at once),
// sends each message and acks it (one transaction per ack, so a crash mid-batch re-sends only
// the messages not acked). Returns how many messages were sent.
int drain_batch(pqxx::connection& conn, const Options& options) {
  pqxx::result claimed;
  {
    pqxx::work tx{conn};
    claimed = tx.exec_params(
        "SELECT id, channel, customer_id, payload::text FROM promo.claim_outbox($1, $2::interval)",
        options.batch, options.claim_timeout);
    tx.commit();
  }
  for (const auto& row : claimed) {
    const auto id = row[0].as<long long>();
    send_message(id, row[1].as<std::string>(), row[2].as<std::string>(), row[3].as<std::string>());
    pqxx::work tx{conn};
    tx.exec_params("SELECT promo.ack_outbox($1)", id);
    tx.commit();
  }
  return static_cast<int>(claimed.size());
}

// Drains until nothing is pending, then waits for notifications until idle_seconds pass with
// no message (or returns at once with --once). Returns the number of messages sent.
long run(const Options& options) {
  pqxx::connection conn{options.connection};
  OutboxListener listener{conn};  // LISTEN before the first claim: nothing slips in between
  long sent = 0;
  auto idle_since = std::chrono::steady_clock::now();
  for (;;) {
    int batch_sent;
    while ((batch_sent = drain_batch(conn, options)) > 0) {
      sent += batch_sent;
      idle_since = std::chrono::steady_clock::now();
    }
    if (options.once) return sent;
    const auto idle = std::chrono::steady_clock::now() - idle_since;
    const auto left = std::chrono::seconds{options.idle_seconds} - idle;
    if (left <= std::chrono::seconds::zero()) return sent;
    const auto left_us = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
    // Wakes on NOTIFY promo_outbox (then claims) or when the idle time is up (then exits
    // after a last claim, which also picks up messages whose claim timed out).
    conn.await_notification(left_us / 1000000, left_us % 1000000);
  }
}

}  // namespace

// Parses options, runs the worker and reports how many messages it sent.
int main(int argc, char** argv) {
  const auto options = parse_options(argc, argv);
  if (!options) return 2;
  try {
    const long sent = run(*options);
    std::cout << "outbox_worker: sent " << sent << " message(s), nothing left; exiting\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "outbox_worker: " << e.what() << "\n";
    return 1;
  }
}
