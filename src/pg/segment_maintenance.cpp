// Membership maintenance core (see segment_maintenance.hpp).
#include <algorithm>

#include "core/error.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_facts.hpp"
#include "pg/error_bridge.hpp"
#include "pg/history_scan.hpp"
#include "pg/membership_store.hpp"
#include "pg/segment_cache.hpp"
#include "pg/segment_maintenance.hpp"
#include "pg/spi_support.hpp"
#include "pg/zone_calendar.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "common/hashfn.h"
#include "storage/lmgr.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
}

namespace promo::pg {

namespace {

// Whether one of `intervals` contains `t`.
bool covers(const std::vector<promo::Interval>& intervals, int64_t t) {
  return std::any_of(intervals.begin(), intervals.end(),
                     [t](const promo::Interval& i) { return i.from <= t && t < i.until; });
}

// Whether the stored row holds `segment` at `t` (without building its interval list).
bool stored_covers(const StoredRow& stored, std::string_view segment, int64_t t) {
  return std::any_of(stored.entries.begin(), stored.entries.end(), [&](const StoredEntry& entry) {
    return entry.segment == segment && entry.interval.from <= t && t < entry.interval.until;
  });
}

// Membership changes at one instant, announced on the channel promo_segments. Each (customer,
// segment) pair is visited once per batch, so a statement announces a change once
// (PostgreSQL also folds identical payloads within a transaction).
class Announcements {
 public:
  explicit Announcements(int64_t at) : at_(at) {}

  // An entry is announced here only when it starts at one of the customer's event times or at
  // their sign-up (caused by a write); an entry that starts later by time alone (e.g. two days
  // after an abandonment) is announced by run_due() when it reaches it. Leaving is announced
  // here whatever its cause.
  // `before`: whether the stored membership contains at_.
  void add(const std::string& customer, const std::string& segment, bool before,
           const std::vector<promo::Interval>& computed, const promo::CustomerFacts& facts) {
    bool after = covers(computed, at_);
    if (before == after) return;
    if (after && !starts_at_a_write(computed, facts)) return;
    customers_.push_back(customer);
    segments_.push_back(segment);
    changes_.push_back(after ? "entered" : "left");
  }

  // One notification per change, queued for commit like NOTIFY. The payload is the same text
  // as jsonb_build_object('customer', .., 'segment', .., 'change', .., 'at', ..)::text (keys in
  // jsonb's order, the time as to_jsonb() writes it), built here without a query. Throws
  // PgError.
  void send() {
    if (customers_.empty()) return;
    const std::vector<std::string>* customers = &customers_;
    const std::vector<std::string>* segments = &segments_;
    const std::vector<const char*>* changes = &changes_;
    TimestampTz at = postgres_time(at_);
    pg_guard([customers, segments, changes, at] {
      char time_text[MAXDATELEN + 1];
      JsonEncodeDateTime(time_text, TimestampTzGetDatum(at), TIMESTAMPTZOID, nullptr);
      StringInfoData payload;
      initStringInfo(&payload);
      for (size_t i = 0; i < customers->size(); ++i) {
        resetStringInfo(&payload);
        appendStringInfoString(&payload, "{\"at\": ");
        escape_json(&payload, time_text);
        appendStringInfoString(&payload, ", \"change\": ");
        escape_json(&payload, (*changes)[i]);
        appendStringInfoString(&payload, ", \"segment\": ");
        escape_json(&payload, (*segments)[i].c_str());
        appendStringInfoString(&payload, ", \"customer\": ");
        escape_json(&payload, (*customers)[i].c_str());
        appendStringInfoChar(&payload, '}');
        Async_Notify("promo_segments", payload.data);
      }
      pfree(payload.data);
    });
    customers_.clear();
    segments_.clear();
    changes_.clear();
  }

 private:
  // Whether the interval of `computed` containing at_ starts at an event time or the sign-up.
  bool starts_at_a_write(const std::vector<promo::Interval>& computed,
                         const promo::CustomerFacts& facts) const {
    for (const promo::Interval& interval : computed) {
      if (interval.from > at_ || at_ >= interval.until) continue;
      if (facts.signed_up_at && *facts.signed_up_at == interval.from) return true;
      for (const auto& [type, times] : facts.events) {
        if (std::binary_search(times.begin(), times.end(), interval.from)) return true;
      }
    }
    return false;
  }

  int64_t at_;
  std::vector<std::string> customers_, segments_;
  std::vector<const char*> changes_;  // string literals
};

// promo.segment_membership is the table of 0.1 or the view of 0.2 (membership_store.hpp): the
// same text serves both until ALTER EXTENSION promo UPDATE.
constexpr const char* kAllCustomersQuery =
    "SELECT customer_id FROM promo.customers"
    " UNION SELECT customer_id FROM promo.events"
    " UNION SELECT customer_id FROM promo.segment_membership";

// A digest of everything maintenance reads for a batch of customers (and the segment
// definitions and the time zone), compared between the transaction snapshot and the latest
// one.
constexpr const char* kDigestQuery =
    "SELECT (SELECT pg_catalog.count(*)::pg_catalog.text || '/' || "
    "COALESCE(pg_catalog.sum("
    "          pg_catalog.hashtextextended(e.event_id::pg_catalog.text || ' ' || e.type || ' ' ||"
    "            e.occurred_at::pg_catalog.text, 0)), 0)::pg_catalog.text"
    "          FROM promo.events e WHERE e.customer_id OPERATOR(pg_catalog.=) ANY ($1))"
    " || ';' || (SELECT pg_catalog.count(*)::pg_catalog.text || '/' || "
    "COALESCE(pg_catalog.sum("
    "          pg_catalog.hashtextextended(c.customer_id || ' ' || COALESCE("
    "            c.signed_up_at::pg_catalog.text, '') || ' ' || c.attributes::pg_catalog.text, 0)),"
    "            0)::pg_catalog.text"
    "          FROM promo.customers c WHERE c.customer_id OPERATOR(pg_catalog.=) ANY ($1))"
    " || ';' || (SELECT pg_catalog.count(*)::pg_catalog.text || '/' || "
    "COALESCE(pg_catalog.sum("
    "          pg_catalog.hashtextextended(m.customer_id || ' ' || m.segment || ' ' ||"
    "            m.valid_from::pg_catalog.text || ' ' || m.valid_until::pg_catalog.text, 0)),"
    "            0)::pg_catalog.text"
    "          FROM promo.segment_membership m"
    "         WHERE m.customer_id OPERATOR(pg_catalog.=) ANY ($1))"
    " || ';' || (SELECT pg_catalog.count(*)::pg_catalog.text || '/' || "
    "COALESCE(pg_catalog.sum("
    "          pg_catalog.hashtextextended(s.name || ' ' || s.definition, 0)), 0)::pg_catalog.text"
    "          FROM promo.segments s)"
    " || ';' || COALESCE((SELECT z.timezone FROM promo.settings z), '')";

// The lock bucket of a customer id: stable across backends and restarts.
int32_t lock_bucket(const std::string& customer_id) {
  uint32 hash = hash_bytes(reinterpret_cast<const unsigned char*>(customer_id.data()),
                           static_cast<int>(customer_id.size()));
  return static_cast<int32_t>(hash % kCustomerLockBuckets);
}

// The digest of a batch under the transaction snapshot (latest = false) or the latest one.
std::string batch_digest(Datum ids, bool latest) {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kDigestQuery, 1, types);
  });
  Datum arguments[1] = {ids};
  int status = pg_guard([&arguments, latest] {
    SPIPlanPtr kept = plan;
    if (latest) {
      return SPI_execute_snapshot(kept, arguments, nullptr, GetLatestSnapshot(), InvalidSnapshot,
                                  false, false, 1);
    }
    return SPI_execute_plan(kept, arguments, nullptr, false, 1);
  });
  if (status != SPI_OK_SELECT || SPI_processed != 1) {
    throw promo::Error(promo::sqlstate::kInternalError, "promo: snapshot check failed");
  }
  bool is_null = false;
  std::string digest(text_value(result_value(0, 1, &is_null)));
  free_result();
  return digest;
}

// Under REPEATABLE READ / SERIALIZABLE: raises 40001 when something maintenance reads for this
// batch was changed by a transaction that committed after this transaction's snapshot.
void check_snapshot_is_current(const std::vector<std::string>& batch) {
  if (!IsolationUsesXactSnapshot()) return;
  Datum ids = text_array(batch);
  if (batch_digest(ids, false) == batch_digest(ids, true)) return;
  throw promo::Error(
      "40001",
      "could not serialize access due to a concurrent change of customer history or segments",
      "Events, customer rows, segment membership or segment definitions of the customers being "
      "maintained were changed by a transaction that committed after this transaction's "
      "snapshot was taken.",
      "Retry the transaction.");
}

// Names of `ids`, in the same order.
std::vector<std::string> names_of(const promo::SegmentSet& segments,
                                  const std::vector<uint32_t>& ids) {
  std::vector<std::string> names;
  names.reserve(ids.size());
  for (uint32_t id : ids) names.push_back(segments.name(id));
  return names;
}

// The engine's intervals as PostgreSQL can store them: bounds outside timestamptz's range become
// -infinity / infinity (e.g. last('x') + '2 days' with no event is -infinity + 2 days), intervals
// that become empty are dropped and intervals that become adjacent are merged. Exact for every
// representable instant.
void to_storable(std::vector<promo::Interval>& intervals) {
  std::vector<promo::Interval> result;
  result.reserve(intervals.size());
  for (promo::Interval interval : intervals) {
    interval.from = engine_time(postgres_time(interval.from));
    interval.until = engine_time(postgres_time(interval.until));
    if (interval.from >= interval.until) continue;
    if (!result.empty() && result.back().until >= interval.from) {
      result.back().until = std::max(result.back().until, interval.until);
    } else {
      result.push_back(interval);
    }
  }
  intervals = std::move(result);
}

// Whether computing `ids` (with the segments they read, transitively) reads signed_up_at or
// customer attributes: if not, the promo.customers query is skipped.
bool reads_customer_rows(const promo::SegmentSet& segments, const std::vector<uint32_t>& ids) {
  std::vector<bool> seen(segments.size(), false);
  std::vector<uint32_t> pending(ids.begin(), ids.end());
  while (!pending.empty()) {
    uint32_t id = pending.back();
    pending.pop_back();
    if (id >= seen.size() || seen[id]) continue;
    seen[id] = true;
    if (segments.reads_customer_fields(id)) return true;
    for (uint32_t read : segments.reads(id)) pending.push_back(read);
  }
  return false;
}

// Calls `visit(c, computed, stored, facts)` for each customer batch[c]: computed[k] holds the
// intervals of segment ids[k], stored the customer's stored row. `history`: the batch's events
// from a pass over promo.events (batch[c] is its customer history_first + c), or nullptr.
template <class Visit>
void evaluate_batch(const promo::SegmentSet& segments, const std::vector<uint32_t>& ids,
                    const std::vector<std::string>& types, const std::vector<std::string>& batch,
                    const promo::Calendar& calendar, bool read_only, const EventHistory* history,
                    size_t history_first, Visit&& visit) {
  FactsQuery query;
  query.history = history;
  query.history_first = history_first;
  query.customers = &batch;
  query.event_types = &types;
  query.customer_rows = reads_customer_rows(segments, ids);
  query.until = promo::kPlusInfinity;
  query.read_only = read_only;
  std::vector<promo::CustomerFacts> facts = load_customer_facts(query);
  std::vector<StoredRow> stored = load_membership_rows(batch, read_only);
  for (size_t c = 0; c < batch.size(); ++c) {
    std::vector<std::vector<promo::Interval>> computed =
        segments.compute(facts[c], ids, calendar, &interrupts_pending);
    for (std::vector<promo::Interval>& intervals : computed) to_storable(intervals);
    visit(c, computed, stored[c], facts[c]);
  }
}

}  // namespace

void lock_customers(const std::vector<std::string>& customers) {
  std::vector<int32_t> buckets;
  buckets.reserve(std::min<size_t>(customers.size(), kCustomerLockBuckets));
  for (const std::string& id : customers) buckets.push_back(lock_bucket(id));
  std::sort(buckets.begin(), buckets.end());
  buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
  const int32_t* data = buckets.data();
  size_t count = buckets.size();
  pg_guard([data, count] {
    for (size_t i = 0; i < count; ++i) {
      DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kCustomerLockClass),
                          Int32GetDatum(data[i]));
    }
  });
}

void lock_segment_definitions() {
  Oid relid = segments_relation_id();
  pg_guard([relid] { LockRelationOid(relid, ShareLock); });
}

void lock_definition_changes() {
  pg_guard([] {
    DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kCustomerLockClass),
                        Int32GetDatum(-1));
  });
}

void maintain_membership(const promo::SegmentSet& segments, const std::vector<uint32_t>& ids,
                         const std::vector<std::string>& customers,
                         const MaintenanceOptions& options) {
  if (ids.empty() || customers.empty()) return;
  if (options.lock_customers) lock_customers(customers);
  std::shared_ptr<const promo::Calendar> calendar = current_calendar();
  std::vector<std::string> names = names_of(segments, ids);
  std::vector<std::string> types = segments.event_types_read(ids);
  const int64_t now = engine_time(GetCurrentTransactionStartTimestamp());
  MemoryContext batch_context = pg_guard([] {
    return AllocSetContextCreate(CurrentMemoryContext, "promo segment batch",
                                 ALLOCSET_DEFAULT_SIZES);
  });
  const size_t batch_size = std::max<size_t>(options.batch_size, 1);
  // Passes over promo.events cover whole batches: kHistoryScanCustomers rounded down to them.
  const size_t pass_size = std::max(batch_size, kHistoryScanCustomers / batch_size * batch_size);
  const bool pass_history = !types.empty() && options.statement_rows > 0 &&
                            history_scan_pays(customers.size(), options.statement_rows);
  EventHistory history;
  size_t history_first = 0;  // customers[history_first] is the pass's first customer
  for (size_t start = 0; start < customers.size(); start += batch_size) {
    if (interrupts_pending()) throw promo::Interrupted();
    size_t end = std::min(customers.size(), start + batch_size);
    std::vector<std::string> batch(customers.begin() + start, customers.begin() + end);
    if (pass_history && start % pass_size == 0) {
      std::vector<std::string> group(
          customers.begin() + start,
          customers.begin() + std::min(customers.size(), start + pass_size));
      history = scan_event_history(group, types, promo::kPlusInfinity);
      history_first = start;
    }
    MemoryContext previous = MemoryContextSwitchTo(batch_context);
    check_snapshot_is_current(batch);
    MembershipWrites writes(names);
    Announcements announcements(now);
    evaluate_batch(segments, ids, types, batch, *calendar, false, pass_history ? &history : nullptr,
                   start - history_first,
                   [&](size_t c, const std::vector<std::vector<promo::Interval>>& computed,
                       const StoredRow& stored, const promo::CustomerFacts& facts) {
                     if (!writes.add(batch[c], stored, computed) || !options.announce) return;
                     for (size_t k = 0; k < names.size(); ++k) {
                       announcements.add(batch[c], names[k], stored_covers(stored, names[k], now),
                                         computed[k], facts);
                     }
                   });
    writes.apply();
    announcements.send();
    MemoryContextSwitchTo(previous);
    pg_guard([batch_context] { MemoryContextReset(batch_context); });
    if (options.report_progress) {
      size_t done = end;
      size_t total = customers.size();
      pg_guard([done, total] {
        ereport(NOTICE, (errmsg("segment rebuild: %zu of %zu customers", done, total)));
      });
    }
  }
  pg_guard([batch_context] { MemoryContextDelete(batch_context); });
}

std::vector<MembershipDifference> compare_membership(const promo::SegmentSet& segments,
                                                     const std::vector<uint32_t>& ids,
                                                     const std::vector<std::string>& customers) {
  std::vector<MembershipDifference> differences;
  if (ids.empty()) return differences;
  std::shared_ptr<const promo::Calendar> calendar = current_calendar();
  std::vector<std::string> names = names_of(segments, ids);
  std::vector<std::string> types = segments.event_types_read(ids);
  for (size_t start = 0; start < customers.size(); start += kBatchSize) {
    if (interrupts_pending()) throw promo::Interrupted();
    size_t end = std::min(customers.size(), start + kBatchSize);
    std::vector<std::string> batch(customers.begin() + start, customers.begin() + end);
    evaluate_batch(segments, ids, types, batch, *calendar, true, nullptr, 0,
                   [&](size_t c, const std::vector<std::vector<promo::Interval>>& computed,
                       const StoredRow& stored, const promo::CustomerFacts&) {
                     for (size_t k = 0; k < names.size(); ++k) {
                       std::vector<promo::Interval> stored_intervals =
                           intervals_in(stored, names[k]);
                       if (computed[k] == stored_intervals) continue;
                       differences.push_back({names[k], batch[c], computed[k], stored_intervals});
                     }
                   });
  }
  return differences;
}

std::vector<std::string> all_known_customers(bool read_only) {
  static SPIPlanPtr plan = nullptr;
  pg_guard([] { kept_plan(&plan, kAllCustomersQuery, 0, nullptr); });
  uint64 count = run_plan(plan, nullptr, read_only, SPI_OK_SELECT);
  std::vector<std::string> customers;
  customers.reserve(count);
  for (uint64 row = 0; row < count; ++row) {
    bool is_null = false;
    customers.emplace_back(text_value(result_value(row, 1, &is_null)));
  }
  free_result();
  std::sort(customers.begin(), customers.end());
  return customers;
}

std::vector<uint32_t> segments_true_without_history(
    const std::shared_ptr<const promo::SegmentSet>& segment_set) {
  // Cached for the last (segment set, calendar) pair, both held so that their addresses cannot
  // be reused: computed once per definition change.
  struct Cache {
    std::shared_ptr<const promo::SegmentSet> segments;
    const promo::Calendar* calendar = nullptr;
    std::shared_ptr<const promo::Calendar> calendar_holder;
    std::vector<uint32_t> ids;
  };
  static auto* cache = new Cache();
  std::shared_ptr<const promo::Calendar> calendar = current_calendar();
  if (cache->segments == segment_set && cache->calendar == calendar.get()) return cache->ids;
  const promo::SegmentSet& segments = *segment_set;
  std::vector<uint32_t> ids = all_segment_ids(segments);
  std::vector<uint32_t> result;
  promo::CustomerFacts nobody;
  std::vector<std::vector<promo::Interval>> computed =
      segments.compute(nobody, ids, *calendar, &interrupts_pending);
  for (size_t k = 0; k < ids.size(); ++k) {
    to_storable(computed[k]);
    if (!computed[k].empty()) result.push_back(ids[k]);
  }
  cache->segments = segment_set;
  cache->calendar = calendar.get();
  cache->calendar_holder = calendar;
  cache->ids = result;
  return result;
}

std::vector<uint32_t> all_segment_ids(const promo::SegmentSet& segments) {
  std::vector<uint32_t> ids(segments.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<uint32_t>(i);
  return ids;
}

}  // namespace promo::pg
