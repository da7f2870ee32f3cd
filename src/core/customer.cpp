// Lookups in a customer's facts; see customer.hpp.
#include "core/customer.hpp"

#include <algorithm>

namespace promo {

// Binary search over the attributes, sorted by key.
const AttributeValue* CustomerFacts::attribute(std::string_view key) const {
  auto it = std::lower_bound(attributes.begin(), attributes.end(), key,
                             [](const std::pair<std::string, AttributeValue>& entry,
                                std::string_view k) { return std::string_view(entry.first) < k; });
  if (it == attributes.end() || it->first != key) return nullptr;
  return &it->second;
}

// Binary search over the event lists, sorted by type.
const std::vector<int64_t>* CustomerFacts::event_times(std::string_view type) const {
  auto it = std::lower_bound(events.begin(), events.end(), type,
                             [](const std::pair<std::string, std::vector<int64_t>>& entry,
                                std::string_view t) { return std::string_view(entry.first) < t; });
  if (it == events.end() || it->first != type) return nullptr;
  return &it->second;
}

}  // namespace promo
