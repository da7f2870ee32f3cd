// What a compiled rule reads (Dependencies) and the instants at which a boolean rule may change
// value as now() moves with the customer's history fixed (critical times). See rule_time.cpp
// for why the critical set is sufficient.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule.hpp"
#include "core/rule_ir.hpp"

#include <cstdint>
#include <vector>

namespace promo::rule {

Dependencies collect_dependencies(const Ir& ir);

// True for now() and start_of_*(), possibly shifted by intervals: values that move with now().
bool is_clock(const Ir& ir, int node);

// Appends (unsorted, possibly repeated) a superset of the instants at which the value of
// ir.root may change; see Program::critical_times.
void critical_times(const Ir& ir, const Facts& facts, std::vector<int64_t>& out);

}  // namespace promo::rule
