// What the engine knows about a customer: the promo.customers row and the event history that
// rules read (count, last, since, within). Loaded by the adapter, read-only for the engine.
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promo {

struct CustomerFacts {
  std::string customer_id;
  std::optional<int64_t> signed_up_at;  // µs since the Unix epoch; nullopt: unknown / no row
  // promo.customers.attributes (top-level keys), sorted by key, unique.
  std::vector<std::pair<std::string, AttributeValue>> attributes;
  // Event history of the types the rules read: sorted by type; each list of occurred_at
  // times ascending (duplicates kept: two events at the same instant count twice).
  std::vector<std::pair<std::string, std::vector<int64_t>>> events;

  const AttributeValue* attribute(std::string_view key) const;
  // nullptr when the customer has no event of that type.
  const std::vector<int64_t>* event_times(std::string_view type) const;
};

// Membership of segments by id (ids come from the segment catalogue the rules were compiled
// with). Evaluating a promotion condition uses membership at one instant; computing a
// segment's intervals uses the intervals already computed for the segments it reads.
class SegmentMembership {
 public:
  virtual ~SegmentMembership() = default;
  virtual bool contains(uint32_t segment_id, int64_t t) const = 0;
  // Every instant at which contains(segment_id, ·) may change (interval bounds).
  virtual void boundaries(uint32_t segment_id, std::vector<int64_t>& out) const = 0;
};

}  // namespace promo
