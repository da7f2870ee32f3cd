// Item attribute lookup for the rule evaluator.
#include "core/cart.hpp"

#include <algorithm>

namespace promo {

// Binary search: the decoder leaves attributes sorted by key with unique keys. nullptr when the
// item has no such attribute.
const AttributeValue* CartItem::attribute(std::string_view key) const {
  auto it = std::lower_bound(attributes.begin(), attributes.end(), key,
                             [](const std::pair<std::string, AttributeValue>& a,
                                std::string_view k) { return a.first < k; });
  if (it == attributes.end() || it->first != key) return nullptr;
  return &it->second;
}

}  // namespace promo
