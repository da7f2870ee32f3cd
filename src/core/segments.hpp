// Segments: named customer-level rules (promo.segments) and their membership as intervals of
// time. For one customer and a fixed history, a segment's rule is a step function of `now`;
// its membership is the set of [valid_from, valid_until) intervals where it is true, over all
// time, so a read at any instant is exact without any job running.
#pragma once
#include "core/cpp_only.hpp"
#include "core/calendar.hpp"
#include "core/customer.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace promo {

struct SegmentDefinition {
  std::string name;
  std::string definition;  // rule text, rule::Context::kSegment
};

// [from, until): from may be kMinusInfinity, until may be kPlusInfinity. Sorted, disjoint and
// non-adjacent in every list the engine returns.
struct Interval {
  int64_t from = kMinusInfinity;
  int64_t until = kPlusInfinity;
  bool operator==(const Interval&) const = default;
};

// An immutable, compiled catalogue of segments. Ids are positions in a topological order:
// a segment's id is greater than the ids of every segment it reads with in_segment().
class SegmentSet {
 public:
  // Compiles every definition. Errors (promo::Error) name the segment:
  // "segment 'x': definition: unknown segment 'y' at 1:12" (the rule language's SQLSTATE),
  // "segment 'a': definition: in_segment makes a cycle: a -> b -> a" (22023),
  // "segment 'a': defined more than once" (22023), plus the rule language's own errors.
  explicit SegmentSet(std::vector<SegmentDefinition> definitions);
  ~SegmentSet();
  SegmentSet(const SegmentSet&) = delete;
  SegmentSet& operator=(const SegmentSet&) = delete;

  size_t size() const;
  const std::string& name(uint32_t id) const;
  std::optional<uint32_t> find(std::string_view name) const;

  // Segments whose membership can change when the history of these event types changes, or
  // when the customer row changes, closed over dependents (in_segment readers), ascending ids.
  std::vector<uint32_t> affected_by_event_types(std::span<const std::string> types) const;
  std::vector<uint32_t> affected_by_customer_fields() const;
  // The segments in `ids` plus everything that reads them, transitively, ascending.
  std::vector<uint32_t> with_dependents(std::span<const uint32_t> ids) const;
  // The event types whose history computing `ids` needs (including their dependencies).
  std::vector<std::string> event_types_read(std::span<const uint32_t> ids) const;
  // Which segments a segment reads (ascending), and whether it reads customer fields.
  const std::vector<uint32_t>& reads(uint32_t id) const;
  bool reads_customer_fields(uint32_t id) const;

  // Membership intervals of every segment in `ids` for this customer, in the order of `ids`
  // (computing the segments they depend on as needed). The customer's facts must hold the
  // history of event_types_read(ids). Polls `poll` between units of work.
  std::vector<std::vector<Interval>> compute(const CustomerFacts& customer,
                                             std::span<const uint32_t> ids,
                                             const Calendar& calendar,
                                             InterruptPoll poll = nullptr) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Membership held as interval lists per segment id: what compute() builds while it works, and
// what a caller can fill from stored rows (promo.segment_membership) to evaluate promotion
// conditions. Segments never set are empty (no member at any time).
class IntervalMembership final : public SegmentMembership {
 public:
  IntervalMembership() = default;
  // `intervals` must be sorted, disjoint and non-adjacent (as compute() returns them).
  void set(uint32_t segment_id, std::vector<Interval> intervals);
  const std::vector<Interval>& intervals(uint32_t segment_id) const;

  bool contains(uint32_t segment_id, int64_t t) const override;
  void boundaries(uint32_t segment_id, std::vector<int64_t>& out) const override;

 private:
  std::vector<std::vector<Interval>> by_segment_;
};

// Checks one segment definition against the others (by name), as the definition trigger does:
// parse and type errors with position, unknown segments, cycles through this segment. A segment
// of `others` with the same name is the old version of this one and is left out. Throws
// promo::Error prefixed "definition: ", e.g. "definition: unknown segment 'abandond-cart' at
// 1:12", "definition: in_segment makes a cycle: a -> b -> a" (22023). Errors inside the other
// definitions are not this definition's and are not reported.
void validate_segment(std::string_view name, std::string_view definition,
                      std::span<const SegmentDefinition> others);

}  // namespace promo
