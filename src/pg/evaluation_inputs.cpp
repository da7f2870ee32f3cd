// Evaluation inputs (see evaluation_inputs.hpp).
#include "core/calendar.hpp"
#include "core/engine.hpp"
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/evaluation_inputs.hpp"
#include "pg/redemption_gates.hpp"
#include "pg/zone_calendar.hpp"

namespace promo::pg {

void load_evaluation_inputs(const promo::RuleSet& rules, const char* customer_id, int64_t at,
                            const promo::Cart& cart, bool fresh, EvaluationInputs& inputs) {
  load_customer_context(rules, customer_id, at, inputs.customer);
  if (rules.dependencies().time) inputs.calendar = current_calendar();
  inputs.has_gates =
      load_redemption_gates(rules, customer_id, cart, fresh, inputs.gates, &inputs.usage_rows);
}

}  // namespace promo::pg
