// The segment catalogue (see segments.hpp): compiled definitions in topological order, the
// questions the maintenance triggers ask (which segments an event type or a customer change
// affects, and their dependents), membership computation, and validation of one definition.
#include "core/segments.hpp"

#include "core/rule.hpp"
#include "core/segment_graph.hpp"
#include "core/segment_intervals.hpp"
#include "core/work_meter.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace promo {
namespace {

using NameMap = std::map<std::string, uint32_t, std::less<>>;

// in_segment('name') resolution over a name -> id map.
rule::Environment segment_environment(const NameMap& ids) {
  rule::Environment environment;
  environment.resolve_segment = [&ids](std::string_view name) -> std::optional<uint32_t> {
    auto found = ids.find(name);
    if (found == ids.end()) return std::nullopt;
    return found->second;
  };
  return environment;
}

// Compiles one definition; errors read "<prefix>definition: <rule error>".
std::shared_ptr<const rule::Program> compile_definition(std::string_view text, const NameMap& ids,
                                                        const std::string& prefix) {
  try {
    return rule::compile(text, rule::Context::kSegment, segment_environment(ids));
  } catch (const Error& error) {
    throw Error(error.sqlstate(), prefix + "definition: " + error.what(), error.detail(),
                error.hint());
  }
}

// "segment 'x': "
std::string segment_prefix(std::string_view name) {
  return "segment '" + std::string(name) + "': ";
}

// Ascending, duplicate-free.
template <class T>
void sort_unique(std::vector<T>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

}  // namespace

struct SegmentSet::Impl {
  // By id (topological order).
  std::vector<std::string> names;
  std::vector<std::shared_ptr<const rule::Program>> programs;
  std::vector<std::vector<uint32_t>> reads;    // ascending
  std::vector<std::vector<uint32_t>> readers;  // ascending
  NameMap ids;

  // `ids` plus every segment they read, transitively, as a mask by id.
  std::vector<bool> with_dependencies(std::span<const uint32_t> requested) const {
    std::vector<bool> needed(names.size(), false);
    std::vector<uint32_t> stack;
    for (uint32_t id : requested) {
      check(id);
      if (!needed[id]) stack.push_back(id);
      needed[id] = true;
    }
    while (!stack.empty()) {
      const uint32_t id = stack.back();
      stack.pop_back();
      for (uint32_t read : reads[id]) {
        if (!needed[read]) stack.push_back(read);
        needed[read] = true;
      }
    }
    return needed;
  }

  // Rejects ids outside the catalogue (a caller mixing catalogues).
  void check(uint32_t id) const {
    if (id >= names.size()) {
      throw Error(sqlstate::kInternalError,
                  "segment id " + std::to_string(id) + " is not in the catalogue");
    }
  }
};

SegmentSet::SegmentSet(std::vector<SegmentDefinition> definitions)
    : impl_(std::make_unique<Impl>()) {
  const size_t n = definitions.size();
  // First pass: compile with provisional ids (input positions) to learn who reads whom.
  NameMap provisional;
  std::vector<std::string> input_names;
  input_names.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    if (!provisional.emplace(definitions[i].name, i).second) {
      throw Error(sqlstate::kInvalidParameterValue,
                  segment_prefix(definitions[i].name) + "defined more than once");
    }
    input_names.push_back(definitions[i].name);
  }
  segment_graph::Reads input_reads(n);
  for (uint32_t i = 0; i < n; ++i) {
    auto program = compile_definition(definitions[i].definition, provisional,
                                      segment_prefix(definitions[i].name));
    input_reads[i] = program->dependencies().segments;
  }
  if (auto cycle = segment_graph::first_cycle(input_reads)) {
    throw Error(sqlstate::kInvalidParameterValue,
                segment_prefix(input_names[cycle->front()]) +
                    "definition: in_segment makes a cycle: " +
                    segment_graph::describe_cycle(*cycle, input_names));
  }
  // Second pass: compile again in topological order so in_segment() resolves to final ids.
  const std::vector<uint32_t> order = segment_graph::topological_order(input_reads);
  for (uint32_t id = 0; id < order.size(); ++id) impl_->ids.emplace(input_names[order[id]], id);
  impl_->readers.resize(n);
  for (uint32_t id = 0; id < order.size(); ++id) {
    const SegmentDefinition& definition = definitions[order[id]];
    impl_->names.push_back(definition.name);
    impl_->programs.push_back(
        compile_definition(definition.definition, impl_->ids, segment_prefix(definition.name)));
    impl_->reads.push_back(impl_->programs.back()->dependencies().segments);
    sort_unique(impl_->reads.back());
    for (uint32_t read : impl_->reads.back()) impl_->readers[read].push_back(id);
  }
}

SegmentSet::~SegmentSet() = default;

size_t SegmentSet::size() const {
  return impl_->names.size();
}

const std::string& SegmentSet::name(uint32_t id) const {
  impl_->check(id);
  return impl_->names[id];
}

std::optional<uint32_t> SegmentSet::find(std::string_view name) const {
  auto found = impl_->ids.find(name);
  if (found == impl_->ids.end()) return std::nullopt;
  return found->second;
}

std::vector<uint32_t> SegmentSet::affected_by_event_types(
    std::span<const std::string> types) const {
  std::vector<uint32_t> direct;
  for (uint32_t id = 0; id < impl_->names.size(); ++id) {
    const std::vector<std::string>& read = impl_->programs[id]->dependencies().event_types;
    const bool touched = std::any_of(types.begin(), types.end(), [&](const std::string& type) {
      return std::binary_search(read.begin(), read.end(), type);
    });
    if (touched) direct.push_back(id);
  }
  return with_dependents(direct);
}

std::vector<uint32_t> SegmentSet::affected_by_customer_fields() const {
  std::vector<uint32_t> direct;
  for (uint32_t id = 0; id < impl_->names.size(); ++id) {
    if (reads_customer_fields(id)) direct.push_back(id);
  }
  return with_dependents(direct);
}

std::vector<uint32_t> SegmentSet::with_dependents(std::span<const uint32_t> ids) const {
  std::vector<bool> marked(impl_->names.size(), false);
  std::vector<uint32_t> stack;
  for (uint32_t id : ids) {
    impl_->check(id);
    if (!marked[id]) stack.push_back(id);
    marked[id] = true;
  }
  while (!stack.empty()) {
    const uint32_t id = stack.back();
    stack.pop_back();
    for (uint32_t reader : impl_->readers[id]) {
      if (!marked[reader]) stack.push_back(reader);
      marked[reader] = true;
    }
  }
  std::vector<uint32_t> out;
  for (uint32_t id = 0; id < marked.size(); ++id) {
    if (marked[id]) out.push_back(id);
  }
  return out;
}

std::vector<std::string> SegmentSet::event_types_read(std::span<const uint32_t> ids) const {
  const std::vector<bool> needed = impl_->with_dependencies(ids);
  std::vector<std::string> types;
  for (uint32_t id = 0; id < needed.size(); ++id) {
    if (!needed[id]) continue;
    const std::vector<std::string>& read = impl_->programs[id]->dependencies().event_types;
    types.insert(types.end(), read.begin(), read.end());
  }
  sort_unique(types);
  return types;
}

const std::vector<uint32_t>& SegmentSet::reads(uint32_t id) const {
  impl_->check(id);
  return impl_->reads[id];
}

bool SegmentSet::reads_customer_fields(uint32_t id) const {
  impl_->check(id);
  return impl_->programs[id]->dependencies().customer_fields;
}

std::vector<std::vector<Interval>> SegmentSet::compute(const CustomerFacts& customer,
                                                       std::span<const uint32_t> ids,
                                                       const Calendar& calendar,
                                                       InterruptPoll poll) const {
  const std::vector<bool> needed = impl_->with_dependencies(ids);
  IntervalMembership membership;
  WorkMeter meter(poll);
  std::vector<int64_t> instants;
  rule::Facts facts;
  facts.customer = &customer;
  facts.segments = &membership;
  facts.calendar = &calendar;
  // Ascending ids: every segment's dependencies are computed before it.
  for (uint32_t id = 0; id < needed.size(); ++id) {
    if (!needed[id]) continue;
    membership.set(id, membership_intervals(*impl_->programs[id], facts, meter, instants));
  }
  std::vector<std::vector<Interval>> out;
  out.reserve(ids.size());
  for (uint32_t id : ids) out.push_back(membership.intervals(id));
  return out;
}

void validate_segment(std::string_view name, std::string_view definition,
                      std::span<const SegmentDefinition> others) {
  // The catalogue as it would be after the write: the others (minus the old version of this
  // segment), then this one.
  NameMap ids;
  std::vector<std::string> names;
  std::vector<std::string_view> texts;
  for (const SegmentDefinition& other : others) {
    if (other.name == name) continue;
    if (!ids.emplace(other.name, static_cast<uint32_t>(names.size())).second) continue;
    names.push_back(other.name);
    texts.push_back(other.definition);
  }
  const auto self = static_cast<uint32_t>(names.size());
  ids.emplace(std::string(name), self);
  names.emplace_back(name);

  segment_graph::Reads reads(names.size());
  reads[self] = compile_definition(definition, ids, "")->dependencies().segments;
  for (uint32_t i = 0; i < self; ++i) {
    try {
      reads[i] = rule::compile(texts[i], rule::Context::kSegment, segment_environment(ids))
                     ->dependencies()
                     .segments;
    } catch (const Error&) {
      // Another definition's own error is not this definition's: it reads nothing here.
    }
  }
  if (auto cycle = segment_graph::cycle_through(reads, self)) {
    throw Error(sqlstate::kInvalidParameterValue, "definition: in_segment makes a cycle: " +
                                                      segment_graph::describe_cycle(*cycle, names));
  }
}

}  // namespace promo
