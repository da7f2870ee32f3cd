// The compiled segment cache (see segment_cache.hpp).
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/segment_cache.hpp"
#include "pg/spi_support.hpp"
#include "pg/zone_calendar.hpp"

namespace promo::pg {

namespace {

// Plain values only (no static destructors): see definition_cache.cpp.
bool segments_stale = true;
bool built_in_transaction = false;
Oid cached_segments_relid = InvalidOid;

std::shared_ptr<const promo::SegmentSet>& cached_segment_set() {
  static auto* holder = new std::shared_ptr<const promo::SegmentSet>();
  return *holder;
}

constexpr const char* kDefinitionsQuery = "SELECT name, definition FROM promo.segments ORDER BY id";

// Copies the rows of the definitions query (SPI connected, SPI_tuptable set).
std::vector<promo::SegmentDefinition> copy_definitions(uint64 count) {
  std::vector<promo::SegmentDefinition> definitions;
  definitions.reserve(count);
  for (uint64 i = 0; i < count; ++i) {
    bool is_null = false;
    std::string_view name = text_value(result_value(i, 1, &is_null));
    std::string_view definition = text_value(result_value(i, 2, &is_null));
    definitions.push_back({std::string(name), std::string(definition)});
  }
  return definitions;
}

// Reads the definitions with the latest snapshot (catalog-like, as the promotion cache does).
std::vector<promo::SegmentDefinition> read_latest_definitions() {
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  // On an error SPI is cleaned up by the abort that the error leads to.
  uint64 count = pg_guard([] {
    PushActiveSnapshot(GetLatestSnapshot());
    int status = SPI_execute(kDefinitionsQuery, true, 0);
    PopActiveSnapshot();
    if (status != SPI_OK_SELECT) elog(ERROR, "promo: loading segments failed: %d", status);
    return SPI_processed;
  });
  std::vector<promo::SegmentDefinition> definitions = copy_definitions(count);
  pg_guard([] { SPI_finish(); });
  return definitions;
}

}  // namespace

std::vector<promo::SegmentDefinition> read_segment_definitions() {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] { kept_plan(&plan, kDefinitionsQuery, 0, nullptr); });
  uint64 count = run_plan(plan, nullptr, false, SPI_OK_SELECT);
  std::vector<promo::SegmentDefinition> definitions = copy_definitions(count);
  free_result();
  return definitions;
}

Oid segments_relation_id() {
  return pg_guard([] {
    Oid schema = get_namespace_oid("promo", false);
    Oid relid = get_relname_relid("segments", schema);
    if (relid == InvalidOid) elog(ERROR, "promo: table promo.segments not found");
    return relid;
  });
}

std::shared_ptr<const promo::SegmentSet> current_segment_set() {
  pg_guard([] { AcceptInvalidationMessages(); });
  std::shared_ptr<const promo::SegmentSet>& cached = cached_segment_set();
  if (!segments_stale && cached) return cached;
  cached_segments_relid = segments_relation_id();
  segments_stale = false;
  try {
    auto segment_set = std::make_shared<const promo::SegmentSet>(read_latest_definitions());
    cached = segment_set;
    built_in_transaction = true;
    return segment_set;
  } catch (...) {
    segments_stale = true;
    throw;
  }
}

// The hooks also keep the time zone cache (zone_calendar.hpp), which is invalidated the same
// way.
void note_segments_invalidation(Oid relid) noexcept {
  if (relid == InvalidOid || relid == cached_segments_relid) segments_stale = true;
  note_zone_invalidation(relid);
}

void mark_segments_stale() noexcept {
  segments_stale = true;
  mark_zone_stale();
}

void note_segments_transaction_committed() noexcept {
  built_in_transaction = false;
  note_zone_transaction_committed();
}

void note_segments_transaction_aborted() noexcept {
  if (built_in_transaction) segments_stale = true;
  built_in_transaction = false;
  note_zone_transaction_aborted();
}

void note_segments_subtransaction_aborted() noexcept {
  if (built_in_transaction) segments_stale = true;
  note_zone_subtransaction_aborted();
}

}  // namespace promo::pg
