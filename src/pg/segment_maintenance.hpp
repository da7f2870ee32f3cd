// Keeping promo.segment_membership equal to what the segment rules give, for a set of
// customers and segments: the shared core of the event/customer triggers, the rebuild after a
// definition change and promo.verify_segments().
//
// Work goes in batches of customers (kBatchSize for rebuilds, kWriteBatchSize for history
// writes): one query loads their customer rows, one their history of the event types the
// segments read; their stored membership rows are read by primary key (membership_store.hpp);
// the engine computes each customer's intervals; one upsert and one delete write the rows that
// changed.
//
// Concurrency (see also the install script):
// - Definition changes serialize with each other (lock_definition_changes()).
// - lock_segment_definitions(): promo.segments in SHARE mode, held to the end of the
//   transaction, so maintenance and definition changes (ROW EXCLUSIVE) serialize.
// - Customer locks: pg_advisory_xact_lock(kCustomerLockClass, bucket) for the bucket
//   (hash of the id mod kCustomerLockBuckets) of every customer of the statement, in ascending
//   order, before any history is read. Buckets bound the number of locks a bulk load takes.
// - Under READ COMMITTED every read after the locks takes a fresh snapshot. Under REPEATABLE
//   READ / SERIALIZABLE, a batch whose events, customer rows, membership, the segment
//   definitions or the time zone differ between the transaction snapshot and the latest
//   snapshot raises 40001.
// - Every membership row write requires the row's version as read, so a write the locks did not
//   order raises 40001 instead of losing the other transaction's change.
#pragma once

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

inline constexpr size_t kBatchSize = 1000;
// Batches of the triggers on history writes. Larger batches read each heap page of
// promo.events fewer times during a bulk load (a customer's events lie scattered over the
// table, so a batch of 1,000 customers visits most of its pages for 10 rows each).
inline constexpr size_t kWriteBatchSize = 10000;
inline constexpr int32_t kCustomerLockClass = 1886547821;  // 'prom'
inline constexpr uint32_t kCustomerLockBuckets = 1024;

// Takes promo.segments in SHARE mode (to the end of the transaction).
void lock_segment_definitions();

// Takes the advisory lock of the bucket of every customer of `customers`, in ascending order
// (to the end of the transaction): maintenance of those customers' membership then waits.
void lock_customers(const std::vector<std::string>& customers);

// Serializes transactions that change segment definitions (to the end of the transaction):
// their rebuilds rewrite whole membership rows, and ROW EXCLUSIVE on promo.segments does not
// exclude a second writer of definitions. An advisory lock (kCustomerLockClass, -1) rather than
// a stronger table lock, which the writer could only get by upgrading the lock its statement
// already holds (two writers would deadlock).
void lock_definition_changes();

struct MaintenanceOptions {
  bool lock_customers = true;    // advisory locks per customer bucket
  bool report_progress = false;  // NOTICE "segment rebuild: N of M customers" per batch
  // NOTIFY promo_segments {customer, segment, change: entered|left, at} for every customer and
  // segment whose membership at now() (the transaction's start) the write changes. On for
  // changes caused by events and customer rows; off for rebuilds after a definition change.
  bool announce = true;
  size_t batch_size = kBatchSize;  // customers per batch
  // Rows of promo.events the statement wrote (0: not a write to promo.events). A statement
  // whose rows outnumber the pages of promo.events reads its customers' history in passes over
  // the table instead of by index per batch (history_scan.hpp).
  uint64_t statement_rows = 0;
};

// Recomputes `ids` (closed over dependents by the caller) for `customers` (sorted, unique) and
// stores the differences. SPI connected. Throws promo::Error / PgError / promo::Interrupted.
void maintain_membership(const promo::SegmentSet& segments, const std::vector<uint32_t>& ids,
                         const std::vector<std::string>& customers,
                         const MaintenanceOptions& options);

// One difference found by compare_membership().
struct MembershipDifference {
  std::string segment;
  std::string customer_id;
  std::vector<promo::Interval> expected;
  std::vector<promo::Interval> stored;
};

// Recomputes `ids` for `customers` and returns where the stored membership differs, reading
// with the caller's snapshot and writing nothing.
std::vector<MembershipDifference> compare_membership(const promo::SegmentSet& segments,
                                                     const std::vector<uint32_t>& ids,
                                                     const std::vector<std::string>& customers);

// Every customer promo knows: promo.customers, promo.events and promo.segment_membership,
// sorted, unique. read_only as in FactsQuery.
std::vector<std::string> all_known_customers(bool read_only);

// Segments a customer with no row and no events is in at some instant (e.g. "no order in 30
// days"). A customer promo sees for the first time (its first event or customer row) must get
// them stored even when the statement touched nothing they read. Ascending.
std::vector<uint32_t> segments_true_without_history(
    const std::shared_ptr<const promo::SegmentSet>& segments);

// Every id of `segments`, ascending.
std::vector<uint32_t> all_segment_ids(const promo::SegmentSet& segments);

}  // namespace promo::pg
