// The in_segment() graph of a segment catalogue: which segment reads which. Finds cycles (a
// segment may not depend on itself, directly or through others) and orders the segments so that
// every segment comes after the ones it reads.
#pragma once
#include "core/cpp_only.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace promo::segment_graph {

// reads[i]: the nodes node i reads (any order, duplicates allowed).
using Reads = std::vector<std::vector<uint32_t>>;

// A path start -> ... -> start following `reads`, or nullopt when `start` is on no cycle. The
// path lists start first and last ({a, b, a}; a self-reference is {a, a}).
std::optional<std::vector<uint32_t>> cycle_through(const Reads& reads, uint32_t start);

// The first cycle, looking at nodes in ascending order, or nullopt when the graph is acyclic.
std::optional<std::vector<uint32_t>> first_cycle(const Reads& reads);

// All nodes, each after every node it reads; among the nodes ready at a step, the lowest index
// first, so the order is stable for a given input. Requires an acyclic graph.
std::vector<uint32_t> topological_order(const Reads& reads);

// "a -> b -> a" for a cycle path, using `names` by node.
std::string describe_cycle(const std::vector<uint32_t>& path,
                           const std::vector<std::string>& names);

}  // namespace promo::segment_graph
