// promo.evaluate_cart(customer_id text, cart jsonb, at timestamptz DEFAULT now(),
//                     explain boolean DEFAULT true) RETURNS jsonb
//
// Evaluates a cart against every active promotion: decodes the jsonb cart, takes the cached
// compiled rule set (reloaded only after a definition change) and returns the engine's result
// as jsonb. customer_id may be NULL (a guest: no history, no attributes, in no segment).
// Customer facts are loaded only when an active promotion reads them (customer_context.hpp).
#include "core/cart.hpp"
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/error_bridge.hpp"
#include "pg/evaluation_inputs.hpp"
#include "pg/jsonb_cart.hpp"
#include "pg/jsonb_result.hpp"
#include "pg/timestamps.hpp"

namespace {

// The C++ body: everything here may throw; PostgreSQL calls go through pg_guard.
Datum evaluate_cart_body(const char* customer_id, Jsonb* cart_document, int64_t at_unix_micros,
                         bool explain) {
  promo::Cart cart = promo::pg::decode_jsonb_cart(cart_document);
  std::shared_ptr<const promo::RuleSet> rules = promo::pg::current_rule_set();
  promo::EvalOptions options;
  options.at = at_unix_micros;
  options.explain = explain;
  options.poll = &promo::pg::interrupts_pending;
  promo::pg::EvaluationInputs inputs;
  promo::pg::load_evaluation_inputs(*rules, customer_id, at_unix_micros, cart, false, inputs);
  inputs.apply(options);
  promo::Result result = rules->evaluate(cart, options);
  return JsonbPGetDatum(promo::pg::result_to_jsonb(result));
}

}  // namespace

PROMO_PG_FUNCTION(promo_evaluate_cart)

// Entry point. Arguments are checked and read here, in C style, before any C++ object exists.
Datum promo_evaluate_cart(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(1)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("cart must not be null")));
  }
  if (PG_ARGISNULL(2)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("at must not be null")));
  }
  if (PG_ARGISNULL(3)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("explain must not be null")));
  }
  Jsonb* cart = PG_GETARG_JSONB_P(1);
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(2);
  bool explain = PG_GETARG_BOOL(3);
  std::optional<int64_t> at_micros = promo::pg::to_unix_micros(at);
  if (!at_micros) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("at must be a finite timestamp, got %s", timestamptz_to_str(at))));
  }
  int64_t at_value = *at_micros;
  const char* customer_id = PG_ARGISNULL(0) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(0));
  return promo::pg::call_cpp(
      [&] { return evaluate_cart_body(customer_id, cart, at_value, explain); });
}
