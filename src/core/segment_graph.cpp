// Cycle search and topological order over the in_segment() graph (see segment_graph.hpp).
#include "core/segment_graph.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <utility>

namespace promo::segment_graph {

std::optional<std::vector<uint32_t>> cycle_through(const Reads& reads, uint32_t start) {
  // Iterative depth-first search from `start`; the stack is the current path. A node explored
  // completely without reaching `start` cannot reach it later either, so it is never re-entered.
  std::vector<bool> visited(reads.size(), false);
  std::vector<std::pair<uint32_t, size_t>> stack;  // (node, next edge to follow)
  stack.emplace_back(start, 0);
  visited[start] = true;
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next == reads[node].size()) {
      stack.pop_back();
      continue;
    }
    const uint32_t target = reads[node][next++];
    if (target == start) {
      std::vector<uint32_t> path;
      path.reserve(stack.size() + 1);
      for (const auto& frame : stack) path.push_back(frame.first);
      path.push_back(start);
      return path;
    }
    if (visited[target]) continue;
    visited[target] = true;
    stack.emplace_back(target, 0);
  }
  return std::nullopt;
}

std::optional<std::vector<uint32_t>> first_cycle(const Reads& reads) {
  for (uint32_t node = 0; node < reads.size(); ++node) {
    if (auto path = cycle_through(reads, node)) return path;
  }
  return std::nullopt;
}

std::vector<uint32_t> topological_order(const Reads& reads) {
  // Kahn's algorithm with a min-heap, so ties go to the lowest index.
  const size_t n = reads.size();
  std::vector<std::vector<uint32_t>> readers(n);
  std::vector<size_t> pending(n, 0);
  for (uint32_t node = 0; node < n; ++node) {
    std::vector<uint32_t> distinct = reads[node];
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    pending[node] = distinct.size();
    for (uint32_t read : distinct) readers[read].push_back(node);
  }
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<>> ready;
  for (uint32_t node = 0; node < n; ++node) {
    if (pending[node] == 0) ready.push(node);
  }
  std::vector<uint32_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const uint32_t node = ready.top();
    ready.pop();
    order.push_back(node);
    for (uint32_t reader : readers[node]) {
      if (--pending[reader] == 0) ready.push(reader);
    }
  }
  return order;
}

std::string describe_cycle(const std::vector<uint32_t>& path,
                           const std::vector<std::string>& names) {
  std::string text;
  for (uint32_t node : path) {
    if (!text.empty()) text += " -> ";
    text += names[node];
  }
  return text;
}

}  // namespace promo::segment_graph
