// promo.qualifications(customer_id text, cart jsonb DEFAULT NULL, at timestamptz DEFAULT now())
// RETURNS jsonb
//
// What the customer can get at `at`: every active promotion whose customer-side conditions hold
// (core/qualifications.hpp), as a jsonb array of
//   {"promotion", "currency", "tier", "discount", "needs", "tiers": [{"tier", "discount",
//    "needs"}], "code" (only when a code is assigned to the customer)}
// where tier/discount/needs at the top are those of the best reachable tier, and, with a cart,
// "estimate" (minor units, the discount of that tier on the cart as it is) on the item and on
// each tier. Loads the same customer facts as evaluate_cart, the limit counters, and the codes
// assigned to the customer that still have uses left.
#include "core/cart.hpp"
#include "core/engine.hpp"
#include "core/qualifications.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/error_bridge.hpp"
#include "pg/evaluation_inputs.hpp"
#include "pg/jsonb_cart.hpp"
#include "pg/spi_support.hpp"
#include "pg/timestamps.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/fmgrprotos.h"
}

#include <map>
#include <string>

namespace {

using promo::pg::pg_guard;
using CodeMap = std::map<std::string, std::string, std::less<>>;

constexpr const char* kAssignedCodesQuery =
    "SELECT c.promotion, c.code FROM promo.codes c"
    " WHERE c.customer_id OPERATOR(pg_catalog.=) $1"
    "   AND (c.max_uses IS NULL OR c.uses OPERATOR(pg_catalog.<) c.max_uses)"
    " ORDER BY c.code";

// promotion -> the first usable code assigned to `customer_id` (by code order).
CodeMap load_assigned_codes(const char* customer_id) {
  CodeMap codes;
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
    Oid types[1] = {TEXTOID};
    promo::pg::kept_plan(&plan, kAssignedCodesQuery, 1, types);
  });
  Datum arguments[1] = {
      pg_guard([customer_id] { return PointerGetDatum(cstring_to_text(customer_id)); })};
  uint64 count = promo::pg::run_plan(plan, arguments, true, SPI_OK_SELECT);
  for (uint64 row = 0; row < count; ++row) {
    bool null_promotion = false, null_code = false;
    Datum promotion = promo::pg::result_value(row, 1, &null_promotion);
    Datum code = promo::pg::result_value(row, 2, &null_code);
    if (null_promotion || null_code) continue;
    codes.emplace(std::string(promo::pg::text_value(promotion)),
                  std::string(promo::pg::text_value(code)));
  }
  pg_guard([] { SPI_finish(); });
  return codes;
}

// `text` as a JSON string literal.
void append_string(std::string& out, std::string_view text) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_needs(std::string& out, const std::vector<std::string>& needs) {
  out += '[';
  for (size_t i = 0; i < needs.size(); ++i) {
    if (i) out += ", ";
    append_string(out, needs[i]);
  }
  out += ']';
}

// One tier's keys after the opening brace: "tier", "discount", "needs" (and "estimate").
void append_tier(std::string& out, const promo::QualifiedTier& tier, bool with_cart) {
  out += "\"tier\": ";
  append_string(out, tier.tier);
  out += ", \"discount\": " + tier.discount_json + ", \"needs\": ";
  append_needs(out, tier.needs);
  if (with_cart) out += ", \"estimate\": " + std::to_string(tier.estimate);
}

std::string to_json(const std::vector<promo::Qualification>& found, bool with_cart) {
  std::string out = "[";
  for (size_t i = 0; i < found.size(); ++i) {
    const promo::Qualification& q = found[i];
    if (i) out += ", ";
    out += "{\"promotion\": ";
    append_string(out, q.promotion);
    out += ", \"currency\": ";
    append_string(out, q.currency->code);
    out += ", ";
    append_tier(out, q.tiers[q.best], with_cart);
    if (!q.code.empty()) {
      out += ", \"code\": ";
      append_string(out, q.code);
    }
    out += ", \"tiers\": [";
    for (size_t t = 0; t < q.tiers.size(); ++t) {
      out += t ? ", {" : "{";
      append_tier(out, q.tiers[t], with_cart);
      out += '}';
    }
    out += "]}";
  }
  return out + "]";
}

Datum qualifications_body(const char* customer_id, Jsonb* cart_document, int64_t at) {
  std::optional<promo::Cart> cart;
  if (cart_document != nullptr) cart = promo::pg::decode_jsonb_cart(cart_document);
  std::shared_ptr<const promo::RuleSet> rules = promo::pg::current_rule_set();
  promo::QualifyOptions options;
  options.at = at;
  options.cart = cart ? &*cart : nullptr;
  options.poll = &promo::pg::interrupts_pending;
  promo::pg::EvaluationInputs inputs;
  promo::Cart no_codes;  // the cart's codes play no part: only codes assigned to the customer
  promo::pg::load_evaluation_inputs(*rules, customer_id, at, no_codes, false, inputs);
  inputs.apply(options);
  CodeMap codes;
  if (customer_id != nullptr) {
    codes = load_assigned_codes(customer_id);
    options.codes = &codes;
  }
  std::string json = to_json(promo::qualifications(*rules, options), cart.has_value());
  return pg_guard([&json] { return DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
}

}  // namespace

PROMO_PG_FUNCTION(promo_qualifications)

// Entry point: arguments read in C style before any C++ object exists.
Datum promo_qualifications(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(2)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("at must not be null")));
  }
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(2);
  std::optional<int64_t> at_micros = promo::pg::to_unix_micros(at);
  if (!at_micros) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("at must be a finite timestamp, got %s", timestamptz_to_str(at))));
  }
  int64_t at_value = *at_micros;
  Jsonb* cart = PG_ARGISNULL(1) ? nullptr : PG_GETARG_JSONB_P(1);
  const char* customer_id = PG_ARGISNULL(0) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(0));
  return promo::pg::call_cpp([&] { return qualifications_body(customer_id, cart, at_value); });
}
