// The per-backend cache of compiled promotions (see definition_cache.hpp).
//
// Loading reads every active promotion with its tiers in one query, in evaluation order
// (priority DESC, creation order, tiers in insertion order), copies the rows into plain C
// structs under one pg_guard, then builds the engine's definitions and compiles them. No rule
// is parsed again until the next definition change.
//
// Definitions are read like catalog data: with the latest snapshot taken after pending
// invalidations were processed (plus this transaction's own changes), whatever the isolation
// level. Reading them with an older snapshot could cache a state that no later invalidation
// would ever correct.
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/error_bridge.hpp"
#include "pg/segment_cache.hpp"
#include "pg/timestamps.hpp"

namespace promo::pg {

namespace {

// Cache state. Plain values only: no static object with a destructor may exist (it would run
// at proc_exit, after PostgreSQL tore down what it might touch).
bool definitions_stale = true;
bool cache_built_in_transaction = false;
Oid promotions_relid = InvalidOid;
Oid tiers_relid = InvalidOid;

// The current rule set, owned by a never-destroyed heap object.
std::shared_ptr<const promo::RuleSet>& cached_rule_set() {
  static auto* holder = new std::shared_ptr<const promo::RuleSet>();
  return *holder;
}

// One result row: a promotion, and one of its tiers unless it has none. Strings are palloc'd
// in the calling function's memory context; tier fields are null for a promotion without tiers.
struct DefinitionRow {
  int64 id;
  const char* name;
  const char* currency;
  int32 priority;
  bool exclusive;
  bool has_starts_at;
  TimestampTz starts_at;
  bool has_ends_at;
  TimestampTz ends_at;
  const char* tier_name;
  const char* tier_condition;
  const char* tier_discount;
  // Redemption limits (has_* false: NULL).
  bool has_per_customer_limit;
  int32 per_customer_limit;
  bool has_total_limit;
  int64 total_limit;
  bool has_budget;
  int64 budget;
  bool requires_code;
};

struct DefinitionRows {
  DefinitionRow* rows;
  uint64 count;
};

constexpr const char* kLoadQuery =
    "SELECT p.id, p.name, p.currency, p.priority, p.exclusive, p.starts_at, p.ends_at,"
    "       t.name, t.condition, t.discount::pg_catalog.text,"
    "       p.per_customer_limit, p.total_limit, p.budget, p.requires_code"
    "  FROM promo.promotions p"
    "  LEFT JOIN promo.tiers t ON t.promotion OPERATOR(pg_catalog.=) p.name"
    " WHERE p.active"
    " ORDER BY p.priority DESC, p.id, t.id";

// Text column `column` of the current SPI row as a C string in `target`, or nullptr for NULL.
const char* copy_text_column(HeapTuple tuple, TupleDesc desc, int column, MemoryContext target) {
  bool is_null = false;
  Datum value = SPI_getbinval(tuple, desc, column, &is_null);
  if (is_null) return nullptr;
  MemoryContext previous = MemoryContextSwitchTo(target);
  char* copy = TextDatumGetCString(value);
  MemoryContextSwitchTo(previous);
  return copy;
}

// Looks up the definition tables' OIDs so the relcache callback can recognise them.
void lookup_definition_tables() {
  Oid schema = get_namespace_oid("promo", false);
  promotions_relid = get_relname_relid("promotions", schema);
  tiers_relid = get_relname_relid("tiers", schema);
}

// Runs the load query and copies its rows into `target`. C-style: runs under pg_guard.
DefinitionRows fetch_definition_rows(MemoryContext target) {
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  PushActiveSnapshot(GetLatestSnapshot());
  int status = SPI_execute(kLoadQuery, true, 0);
  if (status != SPI_OK_SELECT) elog(ERROR, "promo: loading definitions failed: %d", status);

  DefinitionRows result{nullptr, SPI_processed};
  if (result.count > 0) {
    result.rows = static_cast<DefinitionRow*>(
        MemoryContextAllocZero(target, sizeof(DefinitionRow) * result.count));
  }
  TupleDesc desc = SPI_tuptable->tupdesc;
  for (uint64 i = 0; i < result.count; ++i) {
    HeapTuple tuple = SPI_tuptable->vals[i];
    DefinitionRow& row = result.rows[i];
    bool is_null = false;
    row.id = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &is_null));
    row.name = copy_text_column(tuple, desc, 2, target);
    row.currency = copy_text_column(tuple, desc, 3, target);
    row.priority = DatumGetInt32(SPI_getbinval(tuple, desc, 4, &is_null));
    row.exclusive = DatumGetBool(SPI_getbinval(tuple, desc, 5, &is_null));
    row.starts_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 6, &is_null));
    row.has_starts_at = !is_null;
    row.ends_at = DatumGetTimestampTz(SPI_getbinval(tuple, desc, 7, &is_null));
    row.has_ends_at = !is_null;
    row.tier_name = copy_text_column(tuple, desc, 8, target);
    row.tier_condition = copy_text_column(tuple, desc, 9, target);
    row.tier_discount = copy_text_column(tuple, desc, 10, target);
    row.per_customer_limit = DatumGetInt32(SPI_getbinval(tuple, desc, 11, &is_null));
    row.has_per_customer_limit = !is_null;
    row.total_limit = DatumGetInt64(SPI_getbinval(tuple, desc, 12, &is_null));
    row.has_total_limit = !is_null;
    row.budget = DatumGetInt64(SPI_getbinval(tuple, desc, 13, &is_null));
    row.has_budget = !is_null;
    row.requires_code = DatumGetBool(SPI_getbinval(tuple, desc, 14, &is_null));
  }
  PopActiveSnapshot();
  SPI_finish();
  return result;
}

// A window bound for the engine. -infinity / +infinity are mapped to "no bound" where that is
// what they mean, and to the extreme instant otherwise.
std::optional<int64_t> window_bound(bool present, TimestampTz value, bool is_start) {
  if (!present) return std::nullopt;
  if (TIMESTAMP_IS_NOBEGIN(value)) {
    return is_start ? std::nullopt : std::optional<int64_t>(INT64_MIN);
  }
  if (TIMESTAMP_IS_NOEND(value)) return is_start ? std::optional<int64_t>(INT64_MAX) : std::nullopt;
  std::optional<int64_t> micros = to_unix_micros(value);
  if (micros) return micros;
  return is_start ? INT64_MAX : INT64_MIN;  // beyond int64: far past or far future
}

// Groups the rows (one per tier) into the engine's promotion definitions, keeping order.
std::vector<promo::PromotionDefinition> build_definitions(const DefinitionRows& rows) {
  std::vector<promo::PromotionDefinition> definitions;
  for (uint64 i = 0; i < rows.count; ++i) {
    const DefinitionRow& row = rows.rows[i];
    if (definitions.empty() || definitions.back().sequence != row.id) {
      promo::PromotionDefinition& promotion = definitions.emplace_back();
      promotion.name = row.name;
      promotion.currency = row.currency;
      promotion.priority = row.priority;
      promotion.exclusive = row.exclusive;
      promotion.sequence = row.id;
      promotion.starts_at = window_bound(row.has_starts_at, row.starts_at, true);
      promotion.ends_at = window_bound(row.has_ends_at, row.ends_at, false);
      if (row.has_per_customer_limit) promotion.per_customer_limit = row.per_customer_limit;
      if (row.has_total_limit) promotion.total_limit = row.total_limit;
      if (row.has_budget) promotion.budget = row.budget;
      promotion.requires_code = row.requires_code;
    }
    if (row.tier_name != nullptr) {
      definitions.back().tiers.push_back(promo::TierDefinition{
          row.tier_name, row.tier_condition != nullptr ? row.tier_condition : "true",
          row.tier_discount != nullptr ? row.tier_discount : "{}"});
    }
  }
  return definitions;
}

}  // namespace

std::shared_ptr<const promo::RuleSet> current_rule_set() {
  pg_guard([] { AcceptInvalidationMessages(); });
  // Conditions resolve in_segment() against the segment catalogue: a new catalogue means a
  // new rule set (segment ids may have moved).
  std::shared_ptr<const promo::SegmentSet> segments = current_segment_set();
  std::shared_ptr<const promo::RuleSet>& cached = cached_rule_set();
  if (!definitions_stale && cached && cached->segments() == segments) return cached;

  pg_guard([] { lookup_definition_tables(); });
  // Fresh from here on: an invalidation that arrives while loading (locks taken by the query
  // process pending messages) flips the flag back and the next call loads again.
  definitions_stale = false;
  try {
    MemoryContext target = CurrentMemoryContext;
    DefinitionRows rows = pg_guard([target] { return fetch_definition_rows(target); });
    auto rule_set = std::make_shared<const promo::RuleSet>(build_definitions(rows), segments);
    cached = rule_set;
    cache_built_in_transaction = true;
    return rule_set;
  } catch (...) {
    definitions_stale = true;
    throw;
  }
}

void note_relcache_invalidation(Oid relid) noexcept {
  if (relid == InvalidOid || relid == promotions_relid || relid == tiers_relid) {
    definitions_stale = true;
  }
}

void note_transaction_committed() noexcept {
  cache_built_in_transaction = false;
}

void note_transaction_aborted() noexcept {
  if (cache_built_in_transaction) definitions_stale = true;
  cache_built_in_transaction = false;
}

void note_subtransaction_aborted() noexcept {
  if (cache_built_in_transaction) definitions_stale = true;
}

}  // namespace promo::pg
