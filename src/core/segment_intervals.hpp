// From a segment rule to its membership intervals: the rule is a step function of now() for a
// fixed history, constant between consecutive critical instants, so evaluating it once before
// the first instant and once at each instant gives its value at every instant.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule.hpp"
#include "core/segments.hpp"
#include "core/work_meter.hpp"

#include <cstdint>
#include <vector>

namespace promo {

// The [from, until) intervals on which `program` (kSegment or kCondition) is true as now()
// moves over all time, with `facts` (now ignored) fixed otherwise. Sorted, disjoint,
// non-adjacent; open ends are kMinusInfinity / kPlusInfinity. `instants` is scratch space.
// Ticks `meter` once per evaluation.
std::vector<Interval> membership_intervals(const rule::Program& program, const rule::Facts& facts,
                                           WorkMeter& meter, std::vector<int64_t>& instants);

}  // namespace promo
