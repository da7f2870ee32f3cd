// Recording a redeem pass with direct inserts (direct_insert.hpp) instead of record_order's
// statement, where the two are equivalent: READ COMMITTED (the customer's redeem lock is held
// and probes see everything committed before), no Citus, the tables as promo created them, the
// order_id unused and no usage row yet for any applied promotion (known from the counter read or
// probed here), so every write is a plain insert. Otherwise, or under REPEATABLE READ /
// SERIALIZABLE, whose 40001 on a concurrent change the statement's ON CONFLICT gives, the caller
// runs its statement.
//
// C style: call under pg_guard; may ereport(ERROR).
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// One applied promotion of the pass: text values are not NUL-terminated.
struct DirectRedemption {
  const char* promotion;
  int promotion_length;
  const char* tier;
  int tier_length;
  int64_t amount;
  const char* code;  // nullptr when none
  int code_length;
  int32_t slot;  // -1 when none
  bool budgeted;
  int usage_row;  // the customer's promo.customer_usage row: 1 exists, 0 does not, -1 unknown
};

enum class DirectRecording {
  kUnavailable,  // nothing written: run the statement
  kRecorded,     // usage rows, the order and its redemptions written
  kOrderUsed,    // nothing written: order_id is taken, replay it
};

DirectRecording record_redemption_directly(const char* customer_id, int customer_length,
                                           const char* order_id, int order_length,
                                           const DirectRedemption* applied, int applied_count,
                                           Jsonb* cart, Jsonb* result);

}  // namespace promo::pg
