// What an evaluation reads from the database besides the cart, loaded the same way for
// evaluate_cart, qualifications and redeem: the customer's context (only what the active
// promotions read), the calendar (only when a rule reads calendar time) and the redemption
// gates (limits, budgets and codes; only when a promotion has them or the cart carries codes).
#pragma once

#include <memory>

#include "core/calendar.hpp"
#include "core/engine.hpp"
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_context.hpp"
#include "pg/redemption_gates.hpp"

namespace promo::pg {

struct EvaluationInputs {
  CustomerContext customer;
  std::shared_ptr<const promo::Calendar> calendar;
  promo::RedemptionGates gates;
  bool has_gates = false;
  UsageRows usage_rows;  // what the counter reads saw of the customer's usage rows

  // Points `options` (EvalOptions or QualifyOptions) at what was loaded; this object must
  // outlive the evaluation.
  template <class Options>
  void apply(Options& options) const {
    if (customer.loaded) {
      options.customer = &customer.facts;
      options.segments = &customer.membership;
    }
    if (calendar) options.calendar = calendar.get();
    if (has_gates) options.gates = &gates;
  }
};

// Loads the inputs of `customer_id` (null: a guest) for `rules` at `at`; the gates see the codes
// of `cart`. fresh as in load_redemption_gates (redeem: a new snapshot per read). Throws PgError /
// promo::Error.
void load_evaluation_inputs(const promo::RuleSet& rules, const char* customer_id, int64_t at,
                            const promo::Cart& cart, bool fresh, EvaluationInputs& inputs);

}  // namespace promo::pg
