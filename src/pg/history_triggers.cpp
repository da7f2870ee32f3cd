// Maintenance triggers on the history tables:
//   promo.maintain_from_events()     AFTER INSERT / UPDATE / DELETE ON promo.events
//   promo.maintain_from_customers()  AFTER INSERT / UPDATE / DELETE ON promo.customers
//   promo.maintain_after_truncate()  AFTER TRUNCATE ON promo.events, promo.customers,
//                                    promo.segments
// all FOR EACH STATEMENT. The touched event types and customers are read set-based from the
// transition tables (promo_new_rows / promo_old_rows, as the install script names them); only
// the segments that read those types (or customer fields), closed over dependents, are
// recomputed, and only for those customers (segment_maintenance.hpp: locks, batches, 40001).
#include <algorithm>
#include <map>

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"
#include "pg/segment_cache.hpp"
#include "pg/segment_maintenance.hpp"
#include "pg/spi_support.hpp"
#include "pg/trigger_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace {

using promo::pg::result_value;
using promo::pg::text_value;

// The rows the statement touched, as one relation over whichever transition tables exist.
std::string touched_rows(const TriggerData* trigger, const char* columns) {
  std::string sql;
  if (trigger->tg_trigger->tgnewtable != nullptr) {
    sql += std::string("SELECT ") + columns + " FROM " +
           quote_identifier(trigger->tg_trigger->tgnewtable);
  }
  if (trigger->tg_trigger->tgoldtable != nullptr) {
    if (!sql.empty()) sql += " UNION ALL ";
    sql += std::string("SELECT ") + columns + " FROM " +
           quote_identifier(trigger->tg_trigger->tgoldtable);
  }
  return sql;
}

// A plan over the transition tables, prepared once per backend per query text and kept (as
// PL/pgSQL does for its trigger statements): the tables are registered under the same names
// on every call, so the plan is valid for each new statement's rows.
SPIPlanPtr transition_plan(const std::string& sql, int argument_count, Oid* argument_types) {
  static auto* plans = new std::map<std::string, SPIPlanPtr>();
  auto found = plans->find(sql);
  if (found != plans->end()) return found->second;
  const char* text = sql.c_str();
  SPIPlanPtr plan = promo::pg::pg_guard([text, argument_count, argument_types] {
    SPIPlanPtr prepared = SPI_prepare(text, argument_count, argument_types);
    if (prepared == nullptr) {
      elog(ERROR, "promo: preparing \"%s\" failed: %s", text, SPI_result_code_string(SPI_result));
    }
    if (SPI_keepplan(prepared) != 0) elog(ERROR, "promo: SPI_keepplan failed");
    return prepared;
  });
  plans->emplace(sql, plan);
  return plan;
}

// Runs a query over the transition tables and returns its first column as sorted, unique
// strings.
std::vector<std::string> text_column(const std::string& sql, int argument_count = 0,
                                     Oid* argument_types = nullptr, Datum* arguments = nullptr) {
  SPIPlanPtr plan = transition_plan(sql, argument_count, argument_types);
  uint64 count = promo::pg::run_plan(plan, arguments, false, SPI_OK_SELECT);
  std::vector<std::string> values;
  values.reserve(count);
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    Datum value = result_value(row, 1, &is_null);
    if (!is_null) values.emplace_back(text_value(value));
  }
  promo::pg::free_result();
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return values;
}

// The union of two ascending id lists, closed over dependents.
std::vector<uint32_t> closed_union(const promo::SegmentSet& segments, std::vector<uint32_t> a,
                                   const std::vector<uint32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  std::sort(a.begin(), a.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  return segments.with_dependents(a);
}

// After a statement on promo.events: types -> affected segments -> customers -> maintenance.
// Segments true without any history are recomputed for every touched customer too (the
// customer may be new to promo); without such segments only customers whose touched events are
// of a type some affected segment reads are recomputed.
void maintain_from_events(TriggerData* trigger) {
  promo::pg::lock_segment_definitions();
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  if (segments->size() == 0) return;
  std::vector<std::string> types =
      text_column("SELECT DISTINCT type FROM (" + touched_rows(trigger, "type") + ") t");
  std::vector<uint32_t> by_type = segments->affected_by_event_types(types);
  std::vector<uint32_t> defaults = promo::pg::segments_true_without_history(segments);
  if (by_type.empty() && defaults.empty()) return;
  std::vector<uint32_t> ids = closed_union(*segments, by_type, defaults);
  std::vector<std::string> customers;
  if (defaults.empty()) {
    std::vector<std::string> relevant_types = segments->event_types_read(ids);
    Oid argument_types[1] = {TEXTARRAYOID};
    Datum arguments[1] = {promo::pg::text_array(relevant_types)};
    customers = text_column("SELECT DISTINCT customer_id FROM (" +
                                touched_rows(trigger, "customer_id, type") +
                                ") t WHERE type OPERATOR(pg_catalog.=) ANY ($1)",
                            1, argument_types, arguments);
  } else {
    customers = text_column("SELECT DISTINCT customer_id FROM (" +
                            touched_rows(trigger, "customer_id") + ") t");
  }
  promo::pg::maintain_membership(*segments, ids, customers, promo::pg::MaintenanceOptions{});
}

// After a statement on promo.customers: customers whose signed_up_at or attributes changed
// (or whose row appeared or disappeared) -> segments reading customer fields, plus the
// segments true without history (a new row may introduce the customer).
void maintain_from_customers(TriggerData* trigger) {
  promo::pg::lock_segment_definitions();
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  if (segments->size() == 0) return;
  std::vector<uint32_t> ids = closed_union(*segments, segments->affected_by_customer_fields(),
                                           promo::pg::segments_true_without_history(segments));
  if (ids.empty()) return;
  const Trigger* definition = trigger->tg_trigger;
  std::string sql;
  if (definition->tgnewtable != nullptr && definition->tgoldtable != nullptr) {
    std::string new_rows = quote_identifier(definition->tgnewtable);
    std::string old_rows = quote_identifier(definition->tgoldtable);
    sql = "SELECT COALESCE(n.customer_id, o.customer_id) FROM " + new_rows + " n FULL JOIN " +
          old_rows +
          " o ON n.customer_id OPERATOR(pg_catalog.=) o.customer_id"
          " WHERE n.customer_id IS NULL OR o.customer_id IS NULL"
          "    OR n.signed_up_at IS DISTINCT FROM o.signed_up_at"
          "    OR n.attributes IS DISTINCT FROM o.attributes";
  } else {
    sql = touched_rows(trigger, "customer_id");
  }
  std::vector<std::string> customers = text_column(sql);
  promo::pg::maintain_membership(*segments, ids, customers, promo::pg::MaintenanceOptions{});
}

// After TRUNCATE of a history table or the segments: rebuild everything. Membership of
// customers nobody knows any more is dropped by the rebuild too (they are still listed from
// promo.segment_membership).
void rebuild_everything(Relation relation) {
  promo::pg::pg_guard([relation] { CacheInvalidateRelcache(relation); });
  promo::pg::lock_segment_definitions();
  promo::pg::mark_segments_stale();
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  // After TRUNCATE promo.segments: a tier still naming a segment no longer compiles, and the
  // error (naming the promotion and tier) refuses the truncate.
  promo::pg::current_rule_set();
  std::vector<std::string> names;
  for (uint32_t id : promo::pg::all_segment_ids(*segments)) names.push_back(segments->name(id));
  promo::pg::delete_membership_of_segments(promo::pg::stale_membership_segments(names));
  std::vector<std::string> customers = promo::pg::all_known_customers(false);
  promo::pg::MaintenanceOptions options;
  options.lock_customers = false;  // every customer: too many locks; SHARE on segments suffices
  options.report_progress = true;
  promo::pg::maintain_membership(*segments, promo::pg::all_segment_ids(*segments), customers,
                                 options);
}

}  // namespace

PROMO_PG_FUNCTION(promo_maintain_from_events)
PROMO_PG_FUNCTION(promo_maintain_from_customers)
PROMO_PG_FUNCTION(promo_maintain_after_truncate)

// Entry points: C-style checks and SPI set-up, then the C++ body through the error bridge.
Datum promo_maintain_from_events(PG_FUNCTION_ARGS) {
  TriggerData* trigger =
      promo::pg::expect_statement_trigger(fcinfo, "promo.maintain_from_events()");
  promo::pg::connect_spi_with_transition_tables(trigger);
  promo::pg::call_cpp([trigger] {
    maintain_from_events(trigger);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  CHECK_FOR_INTERRUPTS();
  return PointerGetDatum(nullptr);
}

Datum promo_maintain_from_customers(PG_FUNCTION_ARGS) {
  TriggerData* trigger =
      promo::pg::expect_statement_trigger(fcinfo, "promo.maintain_from_customers()");
  promo::pg::connect_spi_with_transition_tables(trigger);
  promo::pg::call_cpp([trigger] {
    maintain_from_customers(trigger);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  CHECK_FOR_INTERRUPTS();
  return PointerGetDatum(nullptr);
}

Datum promo_maintain_after_truncate(PG_FUNCTION_ARGS) {
  TriggerData* trigger =
      promo::pg::expect_statement_trigger(fcinfo, "promo.maintain_after_truncate()");
  Relation relation = trigger->tg_relation;
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  promo::pg::call_cpp([relation] {
    rebuild_everything(relation);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  return PointerGetDatum(nullptr);
}
