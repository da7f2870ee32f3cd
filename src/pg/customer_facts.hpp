// Loads what rules read about customers (promo::CustomerFacts): the promo.customers row
// (signed_up_at, attributes) and the history of the event types the rules read. Set-based:
// one query per table for a whole batch of customers (customer_id = ANY($1)), with plans
// prepared once per backend.
#pragma once

#include "core/customer.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

struct EventHistory;  // history_scan.hpp

struct FactsQuery {
  // Sorted ids, without duplicates; facts come back in this order, one per id (a customer
  // without a row or events gets empty facts).
  const std::vector<std::string>* customers = nullptr;
  // Sorted, unique event types to load (none: no events query at all).
  const std::vector<std::string>* event_types = nullptr;
  bool customer_rows = true;  // false: skip the promo.customers query
  // Only events with occurred_at <= until (kPlusInfinity: the whole history).
  int64_t until = 0;
  // false from triggers: each query takes a fresh snapshot under READ COMMITTED and sees the
  // current statement's changes. true: the caller's snapshot.
  bool read_only = false;
  // When set, the events come from this pass over promo.events (history_scan.hpp) instead of
  // a query: customers[c] is the pass's customer history_first + c, and the pass read
  // event_types up to `until`.
  const EventHistory* history = nullptr;
  size_t history_first = 0;
};

// SPI must be connected. Throws PgError / promo::Error.
std::vector<promo::CustomerFacts> load_customer_facts(const FactsQuery& query);

}  // namespace promo::pg
