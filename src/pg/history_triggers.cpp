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
#include <bit>
#include <map>

#include "core/error.hpp"
#include "core/segments.hpp"
#include "core/string_positions.hpp"

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

// The distinct (customer, type) pairs of the rows an events statement touched.
struct TouchedEvents {
  std::vector<std::string> types;      // sorted, unique
  std::vector<std::string> customers;  // sorted, unique
  // customer_types[c]: indices into `types` of the types customers[c] touched, ascending.
  std::vector<std::vector<uint32_t>> customer_types;
  uint64_t rows = 0;  // rows of the transition tables
};

// Column values of the current row of a transition scan. C style.
struct EventColumns {
  Datum customer_id;
  Datum type;
  bool customer_is_null;
  bool type_is_null;
  bool end;  // no more rows
};

// The customers of a statement's rows and the types each touched, while the rows are read.
struct CustomerTypes {
  promo::StringPositions customers;
  // Per customer: bit t set when it touched seen type t, for t < 64.
  std::vector<uint64_t> type_bits;
  // (customer, type) pairs for types from the 64th on: a statement rarely has that many.
  std::vector<std::pair<uint32_t, uint32_t>> more_types;
};

// Adds the rows of one transition table to `pairs` and `types` (the distinct types, in order of
// appearance: a statement has few, so a linear search beats a hash), reading the tuplestore
// directly: no SPI query, so a one-row statement pays no executor start-up for it.
void scan_events(Tuplestorestate* rows, TupleDesc descriptor, CustomerTypes& pairs,
                 std::vector<std::string>& types, uint64_t& row_count) {
  if (rows == nullptr) return;
  int customer_column = SPI_fnumber(descriptor, "customer_id");
  int type_column = SPI_fnumber(descriptor, "type");
  if (customer_column <= 0 || type_column <= 0) {
    throw promo::Error(promo::sqlstate::kInternalError,
                       "promo: promo.events lacks customer_id or type");
  }
  promo::pg::TransitionScan scan = promo::pg::pg_guard(
      [rows, descriptor] { return promo::pg::begin_transition_scan(rows, descriptor); });
  std::string last_customer;
  uint32_t last_position = promo::StringPositions::kNone;
  while (true) {
    EventColumns columns = promo::pg::pg_guard([&scan, customer_column, type_column] {
      EventColumns values{};
      values.end = !promo::pg::next_transition_row(&scan);
      if (values.end) return values;
      values.customer_id = slot_getattr(scan.slot, customer_column, &values.customer_is_null);
      values.type = slot_getattr(scan.slot, type_column, &values.type_is_null);
      return values;
    });
    if (columns.end) break;
    ++row_count;
    if (columns.customer_is_null || columns.type_is_null) continue;  // NOT NULL columns
    std::string_view customer = text_value(columns.customer_id);
    std::string_view type = text_value(columns.type);
    uint32_t type_position = 0;
    while (type_position < types.size() && types[type_position] != type) ++type_position;
    if (type_position == types.size()) types.emplace_back(type);
    if (last_position == promo::StringPositions::kNone || customer != last_customer) {
      last_customer.assign(customer);
      last_position = pairs.customers.add(customer);
      if (pairs.type_bits.size() <= last_position) pairs.type_bits.resize(last_position + 1, 0);
    }
    if (type_position < 64) {
      pairs.type_bits[last_position] |= uint64_t{1} << type_position;
    } else {
      pairs.more_types.emplace_back(last_position, type_position);
    }
  }
  promo::pg::pg_guard([&scan] { promo::pg::end_transition_scan(&scan); });
}

// The touched (customer, type) pairs of the statement, from its new and old rows.
TouchedEvents touched_events(const TriggerData* trigger) {
  CustomerTypes pairs;
  std::vector<std::string> seen_types;
  TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
  TouchedEvents touched;
  scan_events(trigger->tg_newtable, descriptor, pairs, seen_types, touched.rows);
  scan_events(trigger->tg_oldtable, descriptor, pairs, seen_types, touched.rows);
  std::vector<std::pair<std::string, uint32_t>> types;
  for (uint32_t i = 0; i < seen_types.size(); ++i) types.emplace_back(seen_types[i], i);
  std::sort(types.begin(), types.end());
  std::vector<uint32_t> sorted_position(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    sorted_position[types[i].second] = static_cast<uint32_t>(i);
    touched.types.push_back(types[i].first);
  }
  // Per customer, the seen types it touched, then in sorted positions.
  std::vector<std::vector<uint32_t>> indices(pairs.type_bits.size());
  for (size_t c = 0; c < pairs.type_bits.size(); ++c) {
    for (uint64_t bits = pairs.type_bits[c]; bits != 0; bits &= bits - 1) {
      indices[c].push_back(sorted_position[std::countr_zero(bits)]);
    }
  }
  for (const auto& [customer, type] : pairs.more_types) {
    indices[customer].push_back(sorted_position[type]);
  }
  std::vector<std::string>& customers = pairs.customers.strings();
  std::vector<uint32_t> order(customers.size());
  for (uint32_t c = 0; c < order.size(); ++c) order[c] = c;
  std::sort(order.begin(), order.end(),
            [&customers](uint32_t a, uint32_t b) { return customers[a] < customers[b]; });
  touched.customers.reserve(order.size());
  touched.customer_types.reserve(order.size());
  for (uint32_t c : order) {
    std::vector<uint32_t>& customer_types = indices[c];
    std::sort(customer_types.begin(), customer_types.end());
    customer_types.erase(std::unique(customer_types.begin(), customer_types.end()),
                         customer_types.end());
    touched.customers.push_back(std::move(customers[c]));
    touched.customer_types.push_back(std::move(customer_types));
  }
  return touched;
}

// What a statement touching a set of event types has to recompute: the segments (closed over
// dependents, with the segments true without history) and the event types they read. Depends
// only on the segment set and the types, so the last few answers are kept: a stream of one-row
// inserts asks the same few questions again and again.
struct EventTypePlan {
  std::vector<uint32_t> ids;
  std::vector<std::string> relevant_types;  // event types read by `ids`, sorted
  bool every_customer = false;              // some segment is true without history
};

const EventTypePlan& plan_for_types(const std::shared_ptr<const promo::SegmentSet>& segments,
                                    const std::vector<std::string>& types) {
  struct Entry {
    std::shared_ptr<const promo::SegmentSet> segments;
    std::vector<std::string> types;
    std::vector<uint32_t> defaults;  // segments true without history (they follow the zone)
    EventTypePlan plan;
  };
  constexpr size_t kKept = 16;
  static auto* entries = new std::vector<Entry>();
  std::vector<uint32_t> defaults = promo::pg::segments_true_without_history(segments);
  for (const Entry& entry : *entries) {
    if (entry.segments == segments && entry.types == types && entry.defaults == defaults) {
      return entry.plan;
    }
  }
  Entry entry;
  entry.segments = segments;
  entry.types = types;
  entry.defaults = defaults;
  std::vector<uint32_t> by_type = segments->affected_by_event_types(types);
  entry.plan.every_customer = !defaults.empty();
  if (!by_type.empty() || !defaults.empty()) {
    entry.plan.ids = closed_union(*segments, by_type, defaults);
    entry.plan.relevant_types = segments->event_types_read(entry.plan.ids);
  }
  if (entries->size() >= kKept) entries->erase(entries->begin());
  entries->push_back(std::move(entry));
  return entries->back().plan;
}

// After a statement on promo.events: types -> affected segments -> customers -> maintenance.
// Segments true without any history are recomputed for every touched customer too (the
// customer may be new to promo); without such segments only customers whose touched events are
// of a type some affected segment reads are recomputed. A statement that touches only types no
// segment reads, when no segment is true without history, costs the lock and the scan.
void maintain_from_events(TriggerData* trigger) {
  promo::pg::lock_segment_definitions();
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  if (segments->size() == 0) return;
  TouchedEvents touched = touched_events(trigger);
  const EventTypePlan& plan = plan_for_types(segments, touched.types);
  if (plan.ids.empty()) return;
  std::vector<uint32_t> ids = plan.ids;
  std::vector<std::string> customers;
  if (!plan.every_customer) {
    const std::vector<std::string>& relevant_types = plan.relevant_types;
    std::vector<bool> relevant(touched.types.size(), false);
    for (size_t t = 0; t < touched.types.size(); ++t) {
      relevant[t] =
          std::binary_search(relevant_types.begin(), relevant_types.end(), touched.types[t]);
    }
    for (size_t c = 0; c < touched.customers.size(); ++c) {
      const std::vector<uint32_t>& types = touched.customer_types[c];
      if (std::any_of(types.begin(), types.end(),
                      [&relevant](uint32_t t) { return relevant[t]; })) {
        customers.push_back(std::move(touched.customers[c]));
      }
    }
  } else {
    customers = std::move(touched.customers);
  }
  promo::pg::MaintenanceOptions options;
  options.batch_size = promo::pg::kWriteBatchSize;
  options.statement_rows = touched.rows;
  promo::pg::maintain_membership(*segments, ids, customers, options);
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
  promo::pg::MaintenanceOptions options;
  options.batch_size = promo::pg::kWriteBatchSize;
  promo::pg::maintain_membership(*segments, ids, customers, options);
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
