// Membership intervals of one rule and the interval-list membership (see segment_intervals.hpp
// and segments.hpp).
#include "core/segment_intervals.hpp"

#include <algorithm>

namespace promo {

std::vector<Interval> membership_intervals(const rule::Program& program, const rule::Facts& facts,
                                           WorkMeter& meter, std::vector<int64_t>& instants) {
  instants.clear();
  program.critical_times(facts, instants);
  std::sort(instants.begin(), instants.end());
  instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
  // The infinities are ends of intervals, not instants anyone evaluates at: drop them. The value
  // on (-inf, first) is the one just before the first instant.
  instants.erase(
      std::remove_if(instants.begin(), instants.end(),
                     [](int64_t t) { return t == kMinusInfinity || t == kPlusInfinity; }),
      instants.end());
  rule::Facts at = facts;
  auto value_at = [&](int64_t t) {
    meter.tick();
    at.now = t;
    return program.eval_condition(at);
  };
  std::vector<Interval> out;
  if (instants.empty()) {
    // No instant at which the value may change: it is the same at every time.
    if (value_at(0)) out.push_back(Interval{kMinusInfinity, kPlusInfinity});
    return out;
  }
  bool inside = value_at(instants.front() - 1);
  int64_t from = kMinusInfinity;
  for (int64_t t : instants) {
    const bool value = value_at(t);
    if (value == inside) continue;
    if (value) {
      from = t;
    } else {
      out.push_back(Interval{from, t});
    }
    inside = value;
  }
  if (inside) out.push_back(Interval{from, kPlusInfinity});
  return out;
}

void IntervalMembership::set(uint32_t segment_id, std::vector<Interval> intervals) {
  if (by_segment_.size() <= segment_id) by_segment_.resize(segment_id + 1);
  by_segment_[segment_id] = std::move(intervals);
}

const std::vector<Interval>& IntervalMembership::intervals(uint32_t segment_id) const {
  static const std::vector<Interval> kNone;
  return segment_id < by_segment_.size() ? by_segment_[segment_id] : kNone;
}

bool IntervalMembership::contains(uint32_t segment_id, int64_t t) const {
  const std::vector<Interval>& list = intervals(segment_id);
  // The last interval starting at or before t is the only one that can hold it.
  auto after = std::upper_bound(list.begin(), list.end(), t,
                                [](int64_t time, const Interval& i) { return time < i.from; });
  if (after == list.begin()) return false;
  return t < std::prev(after)->until;
}

void IntervalMembership::boundaries(uint32_t segment_id, std::vector<int64_t>& out) const {
  for (const Interval& interval : intervals(segment_id)) {
    if (interval.from != kMinusInfinity) out.push_back(interval.from);
    if (interval.until != kPlusInfinity) out.push_back(interval.until);
  }
}

}  // namespace promo
