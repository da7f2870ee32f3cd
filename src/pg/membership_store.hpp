// promo.segment_membership as the maintenance code sees it: the stored intervals of a batch of
// customers, and the set-based writes of what changed (one DELETE and one INSERT per batch,
// over unnest()ed arrays, never a statement per row).
#pragma once

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// stored[c][k]: intervals of customers[c] in segment_names[k], sorted by start.
using StoredMembership = std::vector<std::vector<std::vector<promo::Interval>>>;

// Reads the stored intervals of `customers` in `segment_names`. SPI connected. read_only as in
// FactsQuery. Throws PgError.
StoredMembership load_stored_membership(const std::vector<std::string>& customers,
                                        const std::vector<std::string>& segment_names,
                                        bool read_only);

// Rows to delete and insert so that stored membership equals the computed one.
class MembershipChanges {
 public:
  // Records the difference for one customer and segment (both lists sorted): stored intervals
  // that are not computed are deleted, computed ones that are not stored are inserted.
  void add(const std::string& customer, const std::string& segment,
           const std::vector<promo::Interval>& stored,
           const std::vector<promo::Interval>& computed);
  bool empty() const { return delete_customers_.empty() && insert_customers_.empty(); }
  // Writes the changes: one DELETE, then one INSERT. SPI connected. Throws PgError.
  void apply() const;

 private:
  std::vector<std::string> delete_customers_, delete_segments_;
  std::vector<int64_t> delete_from_;
  std::vector<std::string> insert_customers_, insert_segments_;
  std::vector<int64_t> insert_from_, insert_until_;
};

// Names stored in promo.segment_membership that are not in `current_names` (left over from
// deleted segments). SPI connected.
std::vector<std::string> stale_membership_segments(const std::vector<std::string>& current_names);

// Deletes every stored interval of the named segments (deleted or renamed segments).
void delete_membership_of_segments(const std::vector<std::string>& segment_names);

}  // namespace promo::pg
