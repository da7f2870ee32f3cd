// Stored membership: batch reads and set-based writes (see membership_store.hpp).
#include <algorithm>
#include <unordered_map>

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace promo::pg {

namespace {

// Every stored interval of the customers; rows of segments not asked for are skipped while
// reading. (One index probe per customer: with "AND segment = ANY($2)" as well the index scan
// would probe every customer x segment pair.)
constexpr const char* kLoadQuery =
    "SELECT customer_id, segment, valid_from, valid_until FROM promo.segment_membership"
    " WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)";

constexpr const char* kDeleteQuery =
    "DELETE FROM promo.segment_membership m"
    " USING ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
    "                  pg_catalog.unnest($2::pg_catalog.text[]),"
    "                  pg_catalog.unnest($3::pg_catalog.timestamptz[]))"
    "       AS d (customer_id, segment, valid_from)"
    " WHERE m.customer_id OPERATOR(pg_catalog.=) d.customer_id"
    "   AND m.segment OPERATOR(pg_catalog.=) d.segment"
    "   AND m.valid_from OPERATOR(pg_catalog.=) d.valid_from";

constexpr const char* kInsertQuery =
    "INSERT INTO promo.segment_membership (customer_id, segment, valid_from, valid_until)"
    " SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
    "                          pg_catalog.unnest($2::pg_catalog.text[]),"
    "                          pg_catalog.unnest($3::pg_catalog.timestamptz[]),"
    "                          pg_catalog.unnest($4::pg_catalog.timestamptz[]))";

constexpr const char* kDeleteSegmentsQuery =
    "DELETE FROM promo.segment_membership"
    " WHERE segment OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])";

std::unordered_map<std::string_view, size_t> positions_of(const std::vector<std::string>& values) {
  std::unordered_map<std::string_view, size_t> positions;
  positions.reserve(values.size() * 2);
  for (size_t i = 0; i < values.size(); ++i) positions.emplace(values[i], i);
  return positions;
}

// Whether `list` (sorted by start) contains exactly `interval`.
bool contains_interval(const std::vector<promo::Interval>& list, const promo::Interval& interval) {
  auto it = std::lower_bound(
      list.begin(), list.end(), interval,
      [](const promo::Interval& a, const promo::Interval& b) { return a.from < b.from; });
  return it != list.end() && *it == interval;
}

}  // namespace

StoredMembership load_stored_membership(const std::vector<std::string>& customers,
                                        const std::vector<std::string>& segment_names,
                                        bool read_only) {
  StoredMembership stored(customers.size(),
                          std::vector<std::vector<promo::Interval>>(segment_names.size()));
  if (customers.empty() || segment_names.empty()) return stored;
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kLoadQuery, 1, types);
  });
  Datum arguments[1] = {text_array(customers)};
  uint64 count = run_plan(plan, arguments, read_only, SPI_OK_SELECT);
  auto customer_positions = positions_of(customers);
  auto segment_positions = positions_of(segment_names);
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    auto customer = customer_positions.find(text_value(result_value(row, 1, &is_null)));
    auto segment = segment_positions.find(text_value(result_value(row, 2, &is_null)));
    if (customer == customer_positions.end() || segment == segment_positions.end()) continue;
    promo::Interval interval;
    interval.from = engine_time(DatumGetTimestampTz(result_value(row, 3, &is_null)));
    interval.until = engine_time(DatumGetTimestampTz(result_value(row, 4, &is_null)));
    stored[customer->second][segment->second].push_back(interval);
  }
  free_result();
  for (auto& per_customer : stored) {
    for (auto& list : per_customer) {
      std::sort(list.begin(), list.end(),
                [](const promo::Interval& a, const promo::Interval& b) { return a.from < b.from; });
    }
  }
  return stored;
}

void MembershipChanges::add(const std::string& customer, const std::string& segment,
                            const std::vector<promo::Interval>& stored,
                            const std::vector<promo::Interval>& computed) {
  if (stored == computed) return;
  for (const promo::Interval& interval : stored) {
    if (contains_interval(computed, interval)) continue;
    delete_customers_.push_back(customer);
    delete_segments_.push_back(segment);
    delete_from_.push_back(interval.from);
  }
  for (const promo::Interval& interval : computed) {
    if (contains_interval(stored, interval)) continue;
    insert_customers_.push_back(customer);
    insert_segments_.push_back(segment);
    insert_from_.push_back(interval.from);
    insert_until_.push_back(interval.until);
  }
}

void MembershipChanges::apply() const {
  if (!delete_customers_.empty()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[3] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID};
      kept_plan(&plan, kDeleteQuery, 3, types);
    });
    Datum arguments[3] = {text_array(delete_customers_), text_array(delete_segments_),
                          timestamptz_array(delete_from_)};
    run_plan(plan, arguments, false, SPI_OK_DELETE);
  }
  if (!insert_customers_.empty()) {
    static SPIPlanPtr plan = nullptr;
    pg_guard([] {
      Oid types[4] = {TEXTARRAYOID, TEXTARRAYOID, TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID};
      kept_plan(&plan, kInsertQuery, 4, types);
    });
    Datum arguments[4] = {text_array(insert_customers_), text_array(insert_segments_),
                          timestamptz_array(insert_from_), timestamptz_array(insert_until_)};
    run_plan(plan, arguments, false, SPI_OK_INSERT);
  }
}

std::vector<std::string> stale_membership_segments(const std::vector<std::string>& current_names) {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan,
              "SELECT DISTINCT segment FROM promo.segment_membership"
              " WHERE segment OPERATOR(pg_catalog.<>) ALL ($1::pg_catalog.text[])",
              1, types);
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
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kDeleteSegmentsQuery, 1, types);
  });
  Datum arguments[1] = {text_array(segment_names)};
  run_plan(plan, arguments, false, SPI_OK_DELETE);
}

}  // namespace promo::pg
