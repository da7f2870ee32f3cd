// Stored segment membership as the maintenance code sees it. Storage is one row per customer in
// promo.customer_membership (parallel arrays of segment, valid_from, valid_until; the view
// promo.segment_membership shows one row per interval). Reads take a batch of customers in one
// query; writes replace the changed customers' rows in one upsert and one delete per batch,
// never a statement per customer.
#pragma once

#include <string_view>

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// One stored interval of one segment.
struct StoredEntry {
  std::string segment;
  promo::Interval interval;
  bool operator==(const StoredEntry&) const = default;
};

// A customer's stored membership: its entries sorted by segment (byte order), then start, and
// the row's version (0: no row). Every write of a row sets version + 1 and requires the version
// it read, so a concurrent change the locks did not prevent is an error (40001), never a lost
// update.
struct StoredRow {
  std::vector<StoredEntry> entries;
  int64_t version = 0;
};

// The stored rows of `customers` (rows[c] for customers[c]). SPI connected. read_only as in
// FactsQuery. Throws PgError.
std::vector<StoredRow> load_membership_rows(const std::vector<std::string>& customers,
                                            bool read_only);

// The intervals of `segment` in `row`, sorted by start.
std::vector<promo::Interval> intervals_in(const StoredRow& row, std::string_view segment);

// stored[c][k]: intervals of customers[c] in segment_names[k], sorted by start.
using StoredMembership = std::vector<std::vector<std::vector<promo::Interval>>>;

// The stored intervals of `customers` in `segment_names`. SPI connected. Throws PgError.
StoredMembership load_stored_membership(const std::vector<std::string>& customers,
                                        const std::vector<std::string>& segment_names,
                                        bool read_only);

// The rows to write so that stored membership equals the computed one, for one batch.
class MembershipWrites {
 public:
  // `recomputed`: the names of the segments whose intervals add() receives, in that order. SPI
  // connected (reads which storage layout the database has).
  explicit MembershipWrites(const std::vector<std::string>& recomputed);

  // Records the customer's new row: `stored` with the intervals of the recomputed segments
  // replaced by `computed` (computed[k] for recomputed[k], each sorted by start); entries of
  // other segments are kept. Returns whether the row changes (nothing is recorded otherwise).
  // Each customer at most once per batch.
  bool add(const std::string& customer, const StoredRow& stored,
           const std::vector<std::vector<promo::Interval>>& computed);

  // Writes the recorded rows: one upsert of the new rows, one delete of the rows that became
  // empty (in the 0.1 layout: one delete and one insert of intervals). SPI connected. Throws
  // PgError, or promo::Error 40001 when a row is no longer at the version read.
  void apply() const;

 private:
  std::vector<std::string> recomputed_;         // as given
  std::vector<std::string> recomputed_sorted_;  // for lookups
  bool rows_per_customer_;                      // false: the 0.1 layout, a row per interval
  std::vector<std::string> customers_;          // changed customers
  std::vector<StoredRow> before_;               // their stored rows (0.1 layout only)
  std::vector<StoredRow> after_;                // their new rows, version = the one read
};

// Segment names stored that are not in `current_names` (left over from deleted segments). SPI
// connected.
std::vector<std::string> stale_membership_segments(const std::vector<std::string>& current_names);

// Deletes every stored interval of the named segments (deleted or renamed segments).
void delete_membership_of_segments(const std::vector<std::string>& segment_names);

}  // namespace promo::pg
