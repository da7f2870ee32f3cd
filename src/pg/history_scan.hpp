// The event history of many customers read in one sequential pass over promo.events, without
// SPI. For a statement that touches so many customers that their batches' index reads would
// visit every heap page of promo.events anyway (a bulk load: 1,000,000 events for 100,000
// customers put each customer's ~10 events on ~10 different pages), one pass per group of
// customers costs a fraction of one query per batch: no executor, no SPI result copies, and
// each page is read once instead of once per batch.
//
// Rows are read under the snapshot a non-read-only SPI query of the maintenance code would use:
// the command counter is advanced (the statement's own writes become visible) and, under READ
// COMMITTED, a fresh snapshot is taken. Only the maintenance triggers use it (as promo's
// SECURITY DEFINER functions: no privilege check).
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Events of a group of customers, grouped by customer.
struct EventHistory {
  struct Event {
    int64_t at;     // engine time
    uint32_t type;  // index into `types`
  };
  std::vector<std::string> types;  // the types read, sorted (byte order), unique
  // customer c of the group: events[offsets[c] .. offsets[c + 1]), ordered by type, then time.
  std::vector<size_t> offsets;
  std::vector<Event> events;
};

// Customers per pass: bounds the memory one pass holds (their events) on a very large load.
inline constexpr size_t kHistoryScanCustomers = 100000;

// Whether a statement that wrote `statement_rows` rows of promo.events for `customers`
// customers (sorted, unique) should read their history in passes over the table: when the
// pages those passes read are no more than the statement's rows, each of which an index read
// of its customer would fetch from some page anyway. Small statements (fewer customers than
// kHistoryScanMinimum) always read by index. Throws PgError.
inline constexpr size_t kHistoryScanMinimum = 1000;
bool history_scan_pays(size_t customers, uint64_t statement_rows);

// The events of `types` (sorted, unique) with occurred_at <= until of `customers` (sorted,
// unique). SPI connected. Throws PgError (a cancel too: the pass checks for interrupts).
EventHistory scan_event_history(const std::vector<std::string>& customers,
                                const std::vector<std::string>& types, int64_t until);

}  // namespace promo::pg
