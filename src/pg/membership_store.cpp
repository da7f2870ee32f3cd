// Stored membership: batch reads and set-based writes (see membership_store.hpp).
#include <algorithm>
#include <unordered_map>

#include "core/error.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_scan.hpp"
#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "access/htup_details.h"
#include "funcapi.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"
}

namespace promo::pg {

namespace {

// Databases whose SQL objects are still at 0.1 (the library was installed, ALTER EXTENSION promo
// UPDATE not run yet) store one row per interval in the table promo.segment_membership. The
// library keeps maintaining that layout until the update, so that event writes never fail in
// between; kLegacy* are its statements. Reads of the view that replaced the table in 0.2 use the
// same text.
constexpr const char* kLegacyLoadQuery =
    "SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership"
    " WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)";

constexpr const char* kLegacyDeleteQuery =
    "DELETE FROM promo.segment_membership m"
    " USING ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
    "                  pg_catalog.unnest($2::pg_catalog.text[]),"
    "                  pg_catalog.unnest($3::pg_catalog.timestamptz[]))"
    "       AS d (customer_id, segment, valid_from)"
    " WHERE m.customer_id OPERATOR(pg_catalog.=) d.customer_id"
    "   AND m.segment OPERATOR(pg_catalog.=) d.segment"
    "   AND m.valid_from OPERATOR(pg_catalog.=) d.valid_from";

constexpr const char* kLegacyInsertQuery =
    "INSERT INTO promo.segment_membership (customer_id, segment, valid_from, valid_until)"
    " SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
    "                          pg_catalog.unnest($2::pg_catalog.text[]),"
    "                          pg_catalog.unnest($3::pg_catalog.timestamptz[]),"
    "                          pg_catalog.unnest($4::pg_catalog.timestamptz[]))";

constexpr const char* kLegacyDeleteSegmentsQuery =
    "DELETE FROM promo.segment_membership"
    " WHERE segment OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])";

// $1 is promo.customer_membership[]: one element per customer, built in memory. The batch holds
// each customer once, so no row is affected twice.
// Each element carries version = the version read + 1 (1 for a customer without a row); an
// existing row is replaced only if it is still at the version read.
constexpr const char* kUpsertQuery =
    "INSERT INTO promo.customer_membership AS m"
    "       (customer_id, segments, valid_from, valid_until, version)"
    " SELECT r.customer_id, r.segments, r.valid_from, r.valid_until, r.version"
    "   FROM pg_catalog.unnest($1) AS r"
    " ON CONFLICT (customer_id) DO UPDATE"
    "   SET segments = EXCLUDED.segments, valid_from = EXCLUDED.valid_from,"
    "       valid_until = EXCLUDED.valid_until, version = EXCLUDED.version"
    " WHERE m.version OPERATOR(pg_catalog.=) (EXCLUDED.version OPERATOR(pg_catalog.-) 1)";

// The same for one customer (a one-row statement's usual case), without building a composite.
constexpr const char* kUpsertOneQuery =
    "INSERT INTO promo.customer_membership AS m"
    "       (customer_id, segments, valid_from, valid_until, version)"
    " VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (customer_id) DO UPDATE"
    "   SET segments = EXCLUDED.segments, valid_from = EXCLUDED.valid_from,"
    "       valid_until = EXCLUDED.valid_until, version = EXCLUDED.version"
    " WHERE m.version OPERATOR(pg_catalog.=) (EXCLUDED.version OPERATOR(pg_catalog.-) 1)";

constexpr const char* kDeleteQuery =
    "DELETE FROM promo.customer_membership m"
    " USING ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
    "                  pg_catalog.unnest($2::pg_catalog.int8[])) AS d (customer_id, version)"
    " WHERE m.customer_id OPERATOR(pg_catalog.=) d.customer_id"
    "   AND m.version OPERATOR(pg_catalog.=) d.version";

// Rows made only of the named segments go; the others lose those entries.
constexpr const char* kDeleteWholeRowsQuery =
    "DELETE FROM promo.customer_membership"
    " WHERE segments OPERATOR(pg_catalog.<@) $1::pg_catalog.text[]";

constexpr const char* kDeleteEntriesQuery =
    "UPDATE promo.customer_membership c"
    "   SET (segments, valid_from, valid_until) ="
    "       (SELECT pg_catalog.array_agg(e.segment ORDER BY e.n),"
    "               pg_catalog.array_agg(e.valid_from ORDER BY e.n),"
    "               pg_catalog.array_agg(e.valid_until ORDER BY e.n)"
    "          FROM ROWS FROM (pg_catalog.unnest(c.segments), pg_catalog.unnest(c.valid_from),"
    "                          pg_catalog.unnest(c.valid_until))"
    "               WITH ORDINALITY AS e (segment, valid_from, valid_until, n)"
    "         WHERE e.segment OPERATOR(pg_catalog.<>) ALL ($1::pg_catalog.text[])),"
    "       version = c.version OPERATOR(pg_catalog.+) 1"
    " WHERE c.segments OPERATOR(pg_catalog.&&) $1::pg_catalog.text[]";

// The table (0.1) or the view (0.2) promo.segment_membership.
constexpr const char* kStaleSegmentsQuery =
    "SELECT DISTINCT segment FROM promo.segment_membership"
    " WHERE segment OPERATOR(pg_catalog.<>) ALL ($1::pg_catalog.text[])";

bool entry_before(const StoredEntry& a, const StoredEntry& b) {
  if (a.segment != b.segment) return a.segment < b.segment;
  return a.interval.from < b.interval.from;
}

// The row type of promo.customer_membership, or InvalidOid while the SQL objects are at 0.1
// (one row per interval). A catalog cache lookup, so asked per batch: ALTER EXTENSION promo
// UPDATE switches the layout under running sessions. C style: call under pg_guard.
Oid membership_row_type() {
  Oid relid = get_relname_relid("customer_membership", get_namespace_oid("promo", false));
  return OidIsValid(relid) ? get_rel_type_id(relid) : InvalidOid;
}

bool rows_per_customer() {
  return pg_guard([] { return OidIsValid(membership_row_type()); });
}

// Reads the 0.1 layout into rows.
void load_legacy_rows(const std::vector<std::string>& customers, bool read_only,
                      const std::unordered_map<std::string_view, size_t>& positions,
                      std::vector<StoredRow>& rows) {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kLegacyLoadQuery, 1, types);
  });
  Datum arguments[1] = {text_array(customers)};
  uint64 count = run_plan(plan, arguments, read_only, SPI_OK_SELECT);
  for (uint64 result = 0; result < count; ++result) {
    bool is_null = false;
    auto customer = positions.find(text_value(result_value(result, 1, &is_null)));
    if (customer == positions.end()) continue;
    StoredEntry entry;
    entry.segment = text_value(result_value(result, 2, &is_null));
    entry.interval.from = engine_time(DatumGetTimestampTz(result_value(result, 3, &is_null)));
    entry.interval.until = engine_time(DatumGetTimestampTz(result_value(result, 4, &is_null)));
    rows[customer->second].entries.push_back(std::move(entry));
  }
  free_result();
}

// Whether `entries` (sorted) holds exactly `entry`.
bool holds(const std::vector<StoredEntry>& entries, const StoredEntry& entry) {
  auto found = std::lower_bound(entries.begin(), entries.end(), entry, entry_before);
  return found != entries.end() && *found == entry;
}

// Writes the 0.1 layout: the entries of the old rows that are not in the new ones are deleted,
// the new ones that were not stored are inserted.
void apply_legacy(const std::vector<std::string>& customers, const std::vector<StoredRow>& before,
                  const std::vector<StoredRow>& after) {
  std::vector<std::string> delete_customers, delete_segments, insert_customers, insert_segments;
  std::vector<int64_t> delete_from, insert_from, insert_until;
  for (size_t i = 0; i < customers.size(); ++i) {
    const std::vector<StoredEntry>& old_entries = before[i].entries;
    const std::vector<StoredEntry>& new_entries = after[i].entries;
    for (const StoredEntry& entry : old_entries) {
      if (holds(new_entries, entry)) continue;
      delete_customers.push_back(customers[i]);
      delete_segments.push_back(entry.segment);
      delete_from.push_back(entry.interval.from);
    }
    for (const StoredEntry& entry : new_entries) {
      if (holds(old_entries, entry)) continue;
      insert_customers.push_back(customers[i]);
      insert_segments.push_back(entry.segment);
      insert_from.push_back(entry.interval.from);
      insert_until.push_back(entry.interval.until);
    }
  }
  if (!delete_customers.empty()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[3] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};
      kept_plan(&plan, kLegacyDeleteQuery, 3, types);
    });
    Datum arguments[3] = {text_array(delete_customers), text_array(delete_segments),
                          timestamptz_array(delete_from)};
    run_plan(plan, arguments, false, SPI_OK_DELETE);
  }
  if (!insert_customers.empty()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[4] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID};
      kept_plan(&plan, kLegacyInsertQuery, 4, types);
    });
    Datum arguments[4] = {text_array(insert_customers), text_array(insert_segments),
                          timestamptz_array(insert_from), timestamptz_array(insert_until)};
    run_plan(plan, arguments, false, SPI_OK_INSERT);
  }
}

// The arrays of one stored row, deconstructed, and its version. C style: call under pg_guard.
struct RowArrays {
  Datum* segments;
  Datum* from;
  Datum* until;
  int count;
  int64_t version;
};

RowArrays deconstruct_row(Datum segments, Datum from, Datum until) {
  RowArrays row{nullptr, nullptr, nullptr, 0, 0};
  int segment_count = 0, from_count = 0, until_count = 0;
  deconstruct_array(DatumGetArrayTypeP(segments), TEXTOID, -1, false, TYPALIGN_INT, &row.segments,
                    nullptr, &segment_count);
  deconstruct_array(DatumGetArrayTypeP(from), TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL,
                    TYPALIGN_DOUBLE, &row.from, nullptr, &from_count);
  deconstruct_array(DatumGetArrayTypeP(until), TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL,
                    TYPALIGN_DOUBLE, &row.until, nullptr, &until_count);
  if (from_count != segment_count || until_count != segment_count) {
    elog(ERROR, "promo: promo.customer_membership row with arrays of different lengths");
  }
  row.count = segment_count;
  return row;
}

// The promo.customer_membership[] datum of the rows to upsert. C style: call under pg_guard;
// reads the vectors, allocates nothing C++.
Datum membership_rows_array(Oid row_type, const std::string* customers,
                            const StoredRow* const* rows, int count) {
  TupleDesc descriptor = lookup_rowtype_tupdesc_copy(row_type, -1);
  Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * (count > 0 ? count : 1)));
  // Segment names repeat in every row: each becomes a text datum once (the arrays copy it).
  constexpr int kNameSlots = 64;
  const std::string* names[kNameSlots];
  Datum name_texts[kNameSlots];
  int name_count = 0;
  for (int i = 0; i < count; ++i) {
    const std::vector<StoredEntry>& row = rows[i]->entries;
    int entries = static_cast<int>(row.size());
    Datum* segments = static_cast<Datum*>(palloc(sizeof(Datum) * entries));
    Datum* from = static_cast<Datum*>(palloc(sizeof(Datum) * entries));
    Datum* until = static_cast<Datum*>(palloc(sizeof(Datum) * entries));
    for (int j = 0; j < entries; ++j) {
      const StoredEntry& entry = row[j];
      int slot = 0;
      while (slot < name_count && *names[slot] != entry.segment) ++slot;
      if (slot < name_count) {
        segments[j] = name_texts[slot];
      } else {
        segments[j] = PointerGetDatum(
            cstring_to_text_with_len(entry.segment.data(), static_cast<int>(entry.segment.size())));
        if (name_count < kNameSlots) {
          names[name_count] = &entry.segment;
          name_texts[name_count++] = segments[j];
        }
      }
      from[j] = TimestampTzGetDatum(postgres_time(entry.interval.from));
      until[j] = TimestampTzGetDatum(postgres_time(entry.interval.until));
    }
    // Columns: customer_id, segments, valid_from, valid_until, version (the next one).
    Datum values[5] = {
        PointerGetDatum(
            cstring_to_text_with_len(customers[i].data(), static_cast<int>(customers[i].size()))),
        PointerGetDatum(construct_array(segments, entries, TEXTOID, -1, false, TYPALIGN_INT)),
        PointerGetDatum(construct_array(from, entries, TIMESTAMPTZOID, sizeof(TimestampTz),
                                        FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
        PointerGetDatum(construct_array(until, entries, TIMESTAMPTZOID, sizeof(TimestampTz),
                                        FLOAT8PASSBYVAL, TYPALIGN_DOUBLE)),
        Int64GetDatum(rows[i]->version + 1)};
    bool nulls[5] = {false, false, false, false, false};
    if (descriptor->natts != 5)
      elog(ERROR, "promo: unexpected columns in promo.customer_membership");
    elements[i] = HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls));
  }
  int16 length;
  bool by_value;
  char alignment;
  get_typlenbyvalalign(row_type, &length, &by_value, &alignment);
  return PointerGetDatum(construct_array(elements, count, row_type, length, by_value, alignment));
}

}  // namespace

std::vector<StoredRow> load_membership_rows(const std::vector<std::string>& customers,
                                            bool read_only) {
  std::vector<StoredRow> rows(customers.size());
  if (customers.empty()) return rows;
  if (!rows_per_customer()) {
    std::unordered_map<std::string_view, size_t> positions;
    positions.reserve(customers.size() * 2);
    for (size_t i = 0; i < customers.size(); ++i) positions.emplace(customers[i], i);
    load_legacy_rows(customers, read_only, positions, rows);
    for (StoredRow& row : rows) std::sort(row.entries.begin(), row.entries.end(), entry_before);
    return rows;
  }
  // One primary key probe per customer (customer_scan.hpp).
  CustomerScan scan = pg_guard([read_only] {
    return begin_customer_scan(promo_relation("customer_membership"), InvalidOid, read_only);
  });
  for (size_t c = 0; c < customers.size(); ++c) {
    const std::string& customer = customers[c];
    pg_guard([&scan, &customer] {
      rescan_customer(&scan, customer.data(), static_cast<int>(customer.size()));
    });
    while (true) {
      std::optional<RowArrays> arrays = pg_guard([&scan]() -> std::optional<RowArrays> {
        if (!next_customer_row(&scan)) return std::nullopt;
        // Columns: customer_id, segments, valid_from, valid_until, version.
        RowArrays row = deconstruct_row(scan.slot->tts_values[1], scan.slot->tts_values[2],
                                        scan.slot->tts_values[3]);
        row.version = DatumGetInt64(scan.slot->tts_values[4]);
        return row;
      });
      if (!arrays) break;
      rows[c].version = arrays->version;
      std::vector<StoredEntry>& row = rows[c].entries;
      row.reserve(row.size() + arrays->count);
      for (int j = 0; j < arrays->count; ++j) {
        StoredEntry entry;
        entry.segment = text_value(arrays->segments[j]);
        entry.interval.from = engine_time(DatumGetTimestampTz(arrays->from[j]));
        entry.interval.until = engine_time(DatumGetTimestampTz(arrays->until[j]));
        row.push_back(std::move(entry));
      }
    }
    // Written sorted; sorted again so that a row changed by hand still compares correctly.
    std::vector<StoredEntry>& row = rows[c].entries;
    if (!std::is_sorted(row.begin(), row.end(), entry_before)) {
      std::sort(row.begin(), row.end(), entry_before);
    }
  }
  pg_guard([&scan] { end_customer_scan(&scan); });
  return rows;
}

std::vector<promo::Interval> intervals_in(const StoredRow& stored, std::string_view segment) {
  std::vector<promo::Interval> intervals;
  const std::vector<StoredEntry>& row = stored.entries;
  auto first = std::lower_bound(
      row.begin(), row.end(), segment,
      [](const StoredEntry& entry, std::string_view name) { return entry.segment < name; });
  for (auto it = first; it != row.end() && it->segment == segment; ++it) {
    intervals.push_back(it->interval);
  }
  return intervals;
}

StoredMembership load_stored_membership(const std::vector<std::string>& customers,
                                        const std::vector<std::string>& segment_names,
                                        bool read_only) {
  StoredMembership stored(customers.size(),
                          std::vector<std::vector<promo::Interval>>(segment_names.size()));
  if (customers.empty() || segment_names.empty()) return stored;
  std::vector<StoredRow> rows = load_membership_rows(customers, read_only);
  for (size_t c = 0; c < customers.size(); ++c) {
    for (size_t k = 0; k < segment_names.size(); ++k) {
      stored[c][k] = intervals_in(rows[c], segment_names[k]);
    }
  }
  return stored;
}

MembershipWrites::MembershipWrites(const std::vector<std::string>& recomputed)
    : recomputed_(recomputed),
      recomputed_sorted_(recomputed),
      rows_per_customer_(rows_per_customer()) {
  std::sort(recomputed_sorted_.begin(), recomputed_sorted_.end());
}

bool MembershipWrites::add(const std::string& customer, const StoredRow& stored,
                           const std::vector<std::vector<promo::Interval>>& computed) {
  StoredRow changed;
  changed.version = stored.version;
  std::vector<StoredEntry>& row = changed.entries;
  row.reserve(stored.entries.size());
  for (const StoredEntry& entry : stored.entries) {
    if (!std::binary_search(recomputed_sorted_.begin(), recomputed_sorted_.end(), entry.segment)) {
      row.push_back(entry);
    }
  }
  for (size_t k = 0; k < computed.size() && k < recomputed_.size(); ++k) {
    for (const promo::Interval& interval : computed[k]) {
      row.push_back(StoredEntry{recomputed_[k], interval});
    }
  }
  std::sort(row.begin(), row.end(), entry_before);
  if (row == stored.entries) return false;
  customers_.push_back(customer);
  if (!rows_per_customer_) before_.push_back(stored);
  after_.push_back(std::move(changed));
  return true;
}

void MembershipWrites::apply() const {
  if (customers_.empty()) return;
  if (!rows_per_customer_) {
    apply_legacy(customers_, before_, after_);
    return;
  }
  std::vector<std::string> upsert_customers, delete_customers;
  std::vector<const StoredRow*> upsert_rows;
  std::vector<int64_t> delete_versions;
  for (size_t i = 0; i < customers_.size(); ++i) {
    if (after_[i].entries.empty()) {
      delete_customers.push_back(customers_[i]);
      delete_versions.push_back(after_[i].version);
    } else {
      upsert_customers.push_back(customers_[i]);
      upsert_rows.push_back(&after_[i]);
    }
  }
  uint64 written = 0;
  if (upsert_customers.size() == 1) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[5] = {TEXTOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID, INT8OID};
      kept_plan(&plan, kUpsertOneQuery, 5, types);
    });
    const StoredRow& row = *upsert_rows.front();
    std::vector<std::string> segments;
    std::vector<int64_t> from, until;
    segments.reserve(row.entries.size());
    from.reserve(row.entries.size());
    until.reserve(row.entries.size());
    for (const StoredEntry& entry : row.entries) {
      segments.push_back(entry.segment);
      from.push_back(entry.interval.from);
      until.push_back(entry.interval.until);
    }
    const std::string& customer = upsert_customers.front();
    Datum customer_text = pg_guard([&customer] {
      return PointerGetDatum(
          cstring_to_text_with_len(customer.data(), static_cast<int>(customer.size())));
    });
    Datum arguments[5] = {customer_text, text_array(segments), timestamptz_array(from),
                          timestamptz_array(until), Int64GetDatum(row.version + 1)};
    written += run_plan(plan, arguments, false, SPI_OK_INSERT);
  } else if (!upsert_customers.empty()) {
    // The plan names the row type by oid: prepared again when the extension was recreated.
    static SPIPlanPtr plan = nullptr;
    static Oid planned_type = InvalidOid;
    const std::string* customers = upsert_customers.data();
    const StoredRow* const* rows = upsert_rows.data();
    int count = static_cast<int>(upsert_customers.size());
    Datum argument = pg_guard([customers, rows, count] {
      Oid row_type = membership_row_type();
      if (row_type != planned_type) {
        if (plan != nullptr) SPI_freeplan(plan);
        plan = nullptr;
        planned_type = InvalidOid;
        Oid types[1] = {get_array_type(row_type)};
        kept_plan(&plan, kUpsertQuery, 1, types);
        planned_type = row_type;
      }
      return membership_rows_array(row_type, customers, rows, count);
    });
    Datum arguments[1] = {argument};
    written += run_plan(plan, arguments, false, SPI_OK_INSERT);
  }
  if (!delete_customers.empty()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[2] = {TEXTARRAYOID, INT8ARRAYOID};
      kept_plan(&plan, kDeleteQuery, 2, types);
    });
    const int64_t* versions = delete_versions.data();
    int count = static_cast<int>(delete_versions.size());
    Datum version_array = pg_guard([versions, count] {
      Datum* elements = static_cast<Datum*>(palloc(sizeof(Datum) * count));
      for (int i = 0; i < count; ++i) elements[i] = Int64GetDatum(versions[i]);
      return PointerGetDatum(construct_array(elements, count, INT8OID, sizeof(int64),
                                             FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
    });
    Datum arguments[2] = {text_array(delete_customers), version_array};
    written += run_plan(plan, arguments, false, SPI_OK_DELETE);
  }
  if (written != customers_.size()) {
    throw promo::Error(
        "40001", "could not serialize access due to a concurrent change of segment membership",
        "A customer's stored membership changed between reading and writing it.",
        "Retry the transaction.");
  }
}

std::vector<std::string> stale_membership_segments(const std::vector<std::string>& current_names) {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kStaleSegmentsQuery, 1, types);
  });
  Datum arguments[1] = {text_array(current_names)};
  uint64 count = run_plan(plan, arguments, false, SPI_OK_SELECT);
  std::vector<std::string> names;
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    names.emplace_back(text_value(result_value(row, 1, &is_null)));
  }
  free_result();
  return names;
}

void delete_membership_of_segments(const std::vector<std::string>& segment_names) {
  if (segment_names.empty()) return;
  Datum arguments[1] = {text_array(segment_names)};
  if (!rows_per_customer()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[1] = {TEXTARRAYOID};
      kept_plan(&plan, kLegacyDeleteSegmentsQuery, 1, types);
    });
    run_plan(plan, arguments, false, SPI_OK_DELETE);
    return;
  }
  static SPIPlanPtr whole_rows = nullptr;
  static SPIPlanPtr entries = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&whole_rows, kDeleteWholeRowsQuery, 1, types);
    kept_plan(&entries, kDeleteEntriesQuery, 1, types);
  });
  run_plan(whole_rows, arguments, false, SPI_OK_DELETE);
  run_plan(entries, arguments, false, SPI_OK_UPDATE);
}

}  // namespace promo::pg
