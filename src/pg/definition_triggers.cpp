// Trigger functions on the definition tables:
//   promo.validate_tier()         BEFORE INSERT OR UPDATE ON promo.tiers, FOR EACH ROW
//   promo.validate_promotion()    BEFORE INSERT OR UPDATE ON promo.promotions, FOR EACH ROW
//   promo.invalidate_definitions() AFTER any change ON both tables, FOR EACH STATEMENT
// A rule that does not parse or type-check, or a currency the tiers' money literals no longer
// fit, is rejected with the engine's SQLSTATE and message, and nothing is written.
#include "core/engine.hpp"
#include "core/error.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/segment_cache.hpp"

namespace {

// Checks that the function was fired as the kind of trigger it was written for.
TriggerData* expect_trigger(FunctionCallInfo fcinfo, const char* function, bool row_before) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be called as a trigger", function)));
  }
  TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  bool is_row_before =
      TRIGGER_FIRED_FOR_ROW(trigger->tg_event) && TRIGGER_FIRED_BEFORE(trigger->tg_event) &&
      (TRIGGER_FIRED_BY_INSERT(trigger->tg_event) || TRIGGER_FIRED_BY_UPDATE(trigger->tg_event));
  bool is_statement_after =
      TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) && TRIGGER_FIRED_AFTER(trigger->tg_event);
  if (row_before ? !is_row_before : !is_statement_after) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be fired %s", function,
                           row_before ? "BEFORE INSERT OR UPDATE FOR EACH ROW"
                                      : "AFTER ... FOR EACH STATEMENT")));
  }
  return trigger;
}

// The row being written: the new version for UPDATE, the inserted row for INSERT.
HeapTuple new_row(const TriggerData* trigger) {
  return TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
}

// The text output of `column` in `row`, or nullptr when it is NULL.
char* column_text(HeapTuple row, TupleDesc desc, const char* column) {
  int number = SPI_fnumber(desc, column);
  if (number <= 0) elog(ERROR, "promo: column \"%s\" not found", column);
  return SPI_getvalue(row, desc, number);
}

// Runs a kept single-parameter plan with a text argument; the plan is prepared once per
// backend. Returns with SPI connected and SPI_tuptable set; the caller copies and finishes.
void run_text_query(SPIPlanPtr* plan, const char* query, const char* argument) {
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  if (*plan == nullptr) {
    Oid argument_type = TEXTOID;
    SPIPlanPtr prepared = SPI_prepare(query, 1, &argument_type);
    if (prepared == nullptr) elog(ERROR, "promo: SPI_prepare failed: %d", SPI_result);
    if (SPI_keepplan(prepared) != 0) elog(ERROR, "promo: SPI_keepplan failed");
    *plan = prepared;
  }
  Datum value = CStringGetTextDatum(argument);
  int status = SPI_execute_plan(*plan, &value, nullptr, false, 0);
  if (status != SPI_OK_SELECT) elog(ERROR, "promo: definition lookup failed: %d", status);
}

// The currency of promotion `name`, or nullptr when there is no such promotion (the foreign
// key then rejects the row with its own message).
char* promotion_currency(const char* name) {
  static SPIPlanPtr plan = nullptr;
  MemoryContext caller = CurrentMemoryContext;
  run_text_query(
      &plan, "SELECT currency FROM promo.promotions WHERE name OPERATOR(pg_catalog.=) $1", name);
  char* currency = nullptr;
  if (SPI_processed > 0) {
    char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
    if (value != nullptr) currency = MemoryContextStrdup(caller, value);
  }
  SPI_finish();
  return currency;
}

// A stored tier, as text, for re-validation after a currency change.
struct StoredTier {
  char* name;
  char* condition;
  char* discount;
};

// The tiers of promotion `name` in insertion order, copied into the caller's context.
StoredTier* promotion_tiers(const char* name, uint64* count) {
  static SPIPlanPtr plan = nullptr;
  MemoryContext caller = CurrentMemoryContext;
  run_text_query(&plan,
                 "SELECT name, condition, discount::pg_catalog.text FROM promo.tiers"
                 " WHERE promotion OPERATOR(pg_catalog.=) $1 ORDER BY id",
                 name);
  *count = SPI_processed;
  StoredTier* tiers = static_cast<StoredTier*>(
      MemoryContextAllocZero(caller, sizeof(StoredTier) * (SPI_processed + 1)));
  for (uint64 i = 0; i < SPI_processed; ++i) {
    HeapTuple row = SPI_tuptable->vals[i];
    TupleDesc desc = SPI_tuptable->tupdesc;
    tiers[i].name = MemoryContextStrdup(caller, SPI_getvalue(row, desc, 1));
    tiers[i].condition = MemoryContextStrdup(caller, SPI_getvalue(row, desc, 2));
    tiers[i].discount = MemoryContextStrdup(caller, SPI_getvalue(row, desc, 3));
  }
  SPI_finish();
  return tiers;
}

// Re-validates every tier of a promotion whose currency changes: money literals are major
// units of the currency, so "50.00" is fine in USD and a type error in JPY.
void revalidate_tiers(const char* promotion, const char* old_currency, const char* new_currency,
                      const StoredTier* tiers, uint64 count) {
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  for (uint64 i = 0; i < count; ++i) {
    try {
      promo::validate_tier(new_currency, tiers[i].condition, tiers[i].discount, segments.get());
    } catch (const promo::Error& e) {
      throw promo::Error(e.sqlstate(),
                         std::string("tier '") + tiers[i].name + "' is not valid in " +
                             new_currency + ": " + e.what(),
                         std::string("promotion '") + promotion + "' changes currency from " +
                             old_currency + " to " + new_currency + ".",
                         e.hint());
    }
  }
}

}  // namespace

PROMO_PG_FUNCTION(promo_validate_tier)

// BEFORE INSERT OR UPDATE on promo.tiers: the condition and discount must compile in the
// promotion's currency. Reads the row in C style, then runs the engine's check.
Datum promo_validate_tier(PG_FUNCTION_ARGS) {
  TriggerData* trigger = expect_trigger(fcinfo, "promo.validate_tier()", true);
  HeapTuple row = new_row(trigger);
  TupleDesc desc = RelationGetDescr(trigger->tg_relation);
  char* promotion = column_text(row, desc, "promotion");
  char* condition = column_text(row, desc, "condition");
  char* discount = column_text(row, desc, "discount");
  char* currency = promotion != nullptr ? promotion_currency(promotion) : nullptr;
  // NOT NULL and the foreign key report missing values and promotions themselves.
  if (currency == nullptr || condition == nullptr || discount == nullptr) {
    return PointerGetDatum(row);
  }
  return promo::pg::call_cpp([&] {
    // in_segment('name') must name an existing segment.
    std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
    promo::validate_tier(currency, condition, discount, segments.get());
    return PointerGetDatum(row);
  });
}

PROMO_PG_FUNCTION(promo_validate_promotion)

// BEFORE INSERT OR UPDATE on promo.promotions: the currency must be a known ISO 4217 code, and
// when an UPDATE changes it, every tier must still validate in the new currency.
Datum promo_validate_promotion(PG_FUNCTION_ARGS) {
  TriggerData* trigger = expect_trigger(fcinfo, "promo.validate_promotion()", true);
  HeapTuple row = new_row(trigger);
  TupleDesc desc = RelationGetDescr(trigger->tg_relation);
  char* currency = column_text(row, desc, "currency");
  if (currency == nullptr) return PointerGetDatum(row);  // NOT NULL reports it

  char* old_currency = nullptr;
  char* old_name = nullptr;
  StoredTier* tiers = nullptr;
  uint64 tier_count = 0;
  if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
    old_currency = column_text(trigger->tg_trigtuple, desc, "currency");
    old_name = column_text(trigger->tg_trigtuple, desc, "name");
    if (old_currency != nullptr && old_name != nullptr && strcmp(old_currency, currency) != 0) {
      tiers = promotion_tiers(old_name, &tier_count);
    }
  }
  return promo::pg::call_cpp([&] {
    promo::validate_currency(currency);
    if (tiers != nullptr) revalidate_tiers(old_name, old_currency, currency, tiers, tier_count);
    return PointerGetDatum(row);
  });
}

PROMO_PG_FUNCTION(promo_invalidate_definitions)

// AFTER INSERT/UPDATE/DELETE/TRUNCATE FOR EACH STATEMENT on the definition tables: queues a
// relcache invalidation for the table, delivered to every backend (this one at the end of the
// command, the others when the transaction commits), whose cached rule sets then go stale.
Datum promo_invalidate_definitions(PG_FUNCTION_ARGS) {
  TriggerData* trigger = expect_trigger(fcinfo, "promo.invalidate_definitions()", false);
  Relation relation = trigger->tg_relation;
  return promo::pg::call_cpp([relation] {
    promo::pg::pg_guard([relation] { CacheInvalidateRelcache(relation); });
    return PointerGetDatum(nullptr);
  });
}
