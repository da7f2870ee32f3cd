// What evaluate_cart loads about the customer: only what the active promotions read
// (RuleSet::dependencies()): the customer row when a rule reads signed_up_at or customer.<key>,
// events of the read types with occurred_at <= at, and the stored membership of the segments
// read. Nothing at all when no promotion reads customer facts, or for a guest.
#pragma once

#include "core/customer.hpp"
#include "core/engine.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

struct CustomerContext {
  bool loaded = false;
  promo::CustomerFacts facts;
  promo::IntervalMembership membership;
};

// Loads the context of `customer_id` (null: a guest, nothing loaded) for `rules` at `at`.
// Reads with the caller's snapshot. Throws PgError / promo::Error.
void load_customer_context(const promo::RuleSet& rules, const char* customer_id, int64_t at,
                           CustomerContext& context);

}  // namespace promo::pg
