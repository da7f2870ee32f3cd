// Trigger functions on promo.segments:
//   promo.validate_segment()          BEFORE INSERT OR UPDATE OR DELETE, FOR EACH ROW
//   promo.rebuild_changed_segments()  AFTER INSERT / UPDATE / DELETE, FOR EACH STATEMENT
// A definition that does not parse or type-check, names an unknown segment or makes a cycle is
// rejected with the engine's SQLSTATE and message ("definition: unknown function 'lst' at
// 1:1"). Deleting or renaming a segment that a promotion tier (active or not) or another
// segment reads is refused, naming the user. After the statement, every session is told its
// compiled segments and promotions are stale, the membership of deleted segments is dropped
// and that of new or changed segments (and the segments reading them) is rebuilt for every
// customer in batches, with a NOTICE per batch.
#include <algorithm>
#include <map>

#include "core/error.hpp"
#include "core/money.hpp"
#include "core/rule.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"
#include "pg/segment_cache.hpp"
#include "pg/segment_maintenance.hpp"
#include "pg/spi_support.hpp"
#include "pg/trigger_support.hpp"

namespace {

using promo::pg::result_value;
using promo::pg::text_value;

constexpr const char* kDependentObjects = "2BP01";  // dependent_objects_still_exist

// The text of column `column` of `row`, or nullptr when NULL. C style.
char* column_text(HeapTuple row, TupleDesc desc, const char* column) {
  int number = SPI_fnumber(desc, column);
  if (number <= 0) elog(ERROR, "promo: column \"%s\" not found", column);
  return SPI_getvalue(row, desc, number);
}

// A tier whose condition may name segments.
struct TierRule {
  std::string promotion;
  std::string tier;
  std::string currency;
  std::string condition;
};

// Every tier of every promotion (active or not), in evaluation order.
std::vector<TierRule> read_tier_rules() {
  static SPIPlanPtr plan = nullptr;
  promo::pg::pg_guard([] {
    promo::pg::kept_plan(&plan,
                         "SELECT t.promotion, t.name, p.currency, t.condition"
                         "  FROM promo.tiers t JOIN promo.promotions p"
                         "    ON p.name OPERATOR(pg_catalog.=) t.promotion"
                         " ORDER BY p.priority DESC, p.id, t.id",
                         0, nullptr);
  });
  uint64 count = promo::pg::run_plan(plan, nullptr, false, SPI_OK_SELECT);
  std::vector<TierRule> tiers;
  tiers.reserve(count);
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    TierRule tier;
    tier.promotion = text_value(result_value(row, 1, &is_null));
    tier.tier = text_value(result_value(row, 2, &is_null));
    tier.currency = text_value(result_value(row, 3, &is_null));
    tier.condition = text_value(result_value(row, 4, &is_null));
    tiers.push_back(std::move(tier));
  }
  promo::pg::free_result();
  return tiers;
}

// Refuses to delete or rename `name` while another segment or a tier reads it.
void check_unused(const std::string& name, const std::string& action,
                  const std::vector<promo::SegmentDefinition>& definitions) {
  promo::SegmentSet segments(definitions);
  std::optional<uint32_t> id = segments.find(name);
  if (!id) return;
  for (uint32_t other = 0; other < segments.size(); ++other) {
    const std::vector<uint32_t>& reads = segments.reads(other);
    if (std::binary_search(reads.begin(), reads.end(), *id)) {
      throw promo::Error(kDependentObjects,
                         "segment '" + name + "' is used by segment '" + segments.name(other) + "'",
                         "",
                         "Change segment '" + segments.name(other) + "' first, then " + action +
                             " segment '" + name + "'.");
    }
  }
  promo::rule::Environment environment;
  environment.resolve_segment = [&segments](std::string_view segment) {
    return segments.find(segment);
  };
  for (const TierRule& tier : read_tier_rules()) {
    const promo::Currency* currency = promo::find_currency(tier.currency);
    if (currency == nullptr) continue;
    environment.currency = currency;
    std::shared_ptr<const promo::rule::Program> program;
    try {
      program = promo::rule::compile(tier.condition, promo::rule::Context::kCondition, environment);
    } catch (const promo::Error&) {
      continue;  // not this segment's concern
    }
    const std::vector<uint32_t>& read = program->dependencies().segments;
    if (std::binary_search(read.begin(), read.end(), *id)) {
      throw promo::Error(
          kDependentObjects,
          "segment '" + name + "' is used by promotion '" + tier.promotion + "' tier '" +
              tier.tier + "'",
          "", "Change or delete that tier first, then " + action + " segment '" + name + "'.");
    }
  }
}

// The row trigger's C++ body. new_name/definition are null for DELETE; old_name null for
// INSERT.
void validate_segment_row(const char* new_name, const char* definition, const char* old_name) {
  // Before reading the definitions: a concurrent writer's change is then committed and seen.
  promo::pg::lock_definition_changes();
  std::vector<promo::SegmentDefinition> definitions = promo::pg::read_segment_definitions();
  bool renamed_or_deleted =
      old_name != nullptr && (new_name == nullptr || strcmp(new_name, old_name) != 0);
  if (renamed_or_deleted) {
    check_unused(old_name, new_name == nullptr ? "delete" : "rename", definitions);
  }
  if (new_name == nullptr || definition == nullptr) return;
  if (old_name != nullptr) {
    std::erase_if(definitions,
                  [old_name](const promo::SegmentDefinition& d) { return d.name == old_name; });
  }
  promo::validate_segment(new_name, definition, definitions);
}

// (name, definition) pairs of a transition table.
std::map<std::string, std::string> transition_rows(const char* table) {
  std::map<std::string, std::string> rows;
  if (table == nullptr) return rows;
  std::string sql = std::string("SELECT name, definition FROM ") +
                    promo::pg::pg_guard([table] { return quote_identifier(table); });
  const char* text = sql.c_str();
  int status = promo::pg::pg_guard([text] { return SPI_execute(text, false, 0); });
  if (status != SPI_OK_SELECT) {
    throw promo::Error(promo::sqlstate::kInternalError, "promo: reading transition tables failed");
  }
  for (uint64 row = 0; row < SPI_processed; ++row) {
    bool is_null = false;
    rows.emplace(std::string(text_value(result_value(row, 1, &is_null))),
                 std::string(text_value(result_value(row, 2, &is_null))));
  }
  promo::pg::free_result();
  return rows;
}

// The statement trigger's C++ body.
void rebuild_changed_segments(TriggerData* trigger) {
  promo::pg::lock_definition_changes();
  Relation relation = trigger->tg_relation;
  promo::pg::pg_guard([relation] { CacheInvalidateRelcache(relation); });
  promo::pg::mark_segments_stale();
  std::map<std::string, std::string> new_rows = transition_rows(trigger->tg_trigger->tgnewtable);
  std::map<std::string, std::string> old_rows = transition_rows(trigger->tg_trigger->tgoldtable);

  std::vector<std::string> removed, changed;
  for (const auto& [name, definition] : old_rows) {
    if (!new_rows.contains(name)) removed.push_back(name);
  }
  for (const auto& [name, definition] : new_rows) {
    auto old = old_rows.find(name);
    if (old == old_rows.end() || old->second != definition) changed.push_back(name);
  }
  promo::pg::delete_membership_of_segments(removed);
  if (changed.empty()) return;

  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  std::vector<uint32_t> ids;
  for (const std::string& name : changed) {
    if (std::optional<uint32_t> id = segments->find(name)) ids.push_back(*id);
  }
  std::sort(ids.begin(), ids.end());
  ids = segments->with_dependents(ids);
  std::vector<std::string> customers = promo::pg::all_known_customers(false);
  promo::pg::MaintenanceOptions options;
  options.lock_customers = false;  // ROW EXCLUSIVE on promo.segments excludes maintenance
  options.report_progress = true;
  options.announce = false;  // a definition change, not an event: no NOTIFY per customer
  promo::pg::maintain_membership(*segments, ids, customers, options);
}

}  // namespace

PROMO_PG_FUNCTION(promo_validate_segment)
PROMO_PG_FUNCTION(promo_rebuild_changed_segments)

// BEFORE INSERT OR UPDATE OR DELETE FOR EACH ROW on promo.segments. Reads the row in C style.
Datum promo_validate_segment(PG_FUNCTION_ARGS) {
  TriggerData* trigger = promo::pg::expect_row_before_trigger(fcinfo, "promo.validate_segment()");
  TupleDesc desc = RelationGetDescr(trigger->tg_relation);
  HeapTuple result = trigger->tg_trigtuple;
  char* new_name = nullptr;
  char* definition = nullptr;
  char* old_name = nullptr;
  if (TRIGGER_FIRED_BY_INSERT(trigger->tg_event)) {
    new_name = column_text(trigger->tg_trigtuple, desc, "name");
    definition = column_text(trigger->tg_trigtuple, desc, "definition");
  } else if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
    result = trigger->tg_newtuple;
    new_name = column_text(trigger->tg_newtuple, desc, "name");
    definition = column_text(trigger->tg_newtuple, desc, "definition");
    old_name = column_text(trigger->tg_trigtuple, desc, "name");
  } else {
    old_name = column_text(trigger->tg_trigtuple, desc, "name");
  }
  // NOT NULL constraints report missing values themselves.
  if (!TRIGGER_FIRED_BY_DELETE(trigger->tg_event) &&
      (new_name == nullptr || definition == nullptr)) {
    return PointerGetDatum(result);
  }
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  promo::pg::call_cpp([&] {
    validate_segment_row(new_name, definition, old_name);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  return PointerGetDatum(result);
}

// AFTER INSERT / UPDATE / DELETE FOR EACH STATEMENT on promo.segments.
Datum promo_rebuild_changed_segments(PG_FUNCTION_ARGS) {
  TriggerData* trigger =
      promo::pg::expect_statement_trigger(fcinfo, "promo.rebuild_changed_segments()");
  promo::pg::connect_spi_with_transition_tables(trigger);
  promo::pg::call_cpp([trigger] {
    rebuild_changed_segments(trigger);
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  CHECK_FOR_INTERRUPTS();
  return PointerGetDatum(nullptr);
}
