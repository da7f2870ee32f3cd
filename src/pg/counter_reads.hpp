// Reading the redemption counters of some promotions (promo.customer_usage for one customer,
// the sum over promo.promotion_slots, promo.promotion_budget) by primary-key index scans,
// without a statement. These reads run on every redeem and on every evaluate_cart while a
// promotion has a limit; a statement costs a plan check, executor start-up and end for three
// sub-plans, several times the few index probes themselves.
//
// Same rows as the query it replaces: the snapshot is the active one (fresh = false) or a new
// one after CommandCounterIncrement (fresh = true, READ COMMITTED: sees everything committed
// before, like a non-read-only SPI statement; REPEATABLE READ: the transaction snapshot), the
// caller needs SELECT on the tables (checked as the executor would), and the tables are locked
// AccessShare until the transaction ends.
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// One promotion to read: which counters are wanted, and where they go (0 when no row).
struct CounterRead {
  const char* promotion = nullptr;  // not NUL-terminated; promotion_length bytes
  int promotion_length = 0;
  bool customer = false;  // promo.customer_usage.used of the customer
  bool total = false;     // sum of promo.promotion_slots.used
  bool budget = false;    // promo.promotion_budget.used
  int64_t customer_used = 0;
  bool customer_row = false;  // whether the customer's promo.customer_usage row exists
  int64_t total_used = 0;
  int64_t budget_used = 0;
};

// Whether read_counters may be used: not while Citus is loaded (a distributed table's rows are
// in shards only Citus' planner reaches; the caller then reads them with a statement).
bool counters_by_index_scan();

// Fills `reads[0..count)`. `customer_id` (customer_length bytes) may be null: customer counters
// are then left 0. C style, may ereport(ERROR): call under pg_guard.
void read_counters(const char* customer_id, int customer_length, CounterRead* reads, int count,
                   bool fresh);

}  // namespace promo::pg
