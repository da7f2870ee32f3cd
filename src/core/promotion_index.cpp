// The promotion index (see promotion_index.hpp): built once per rule set, read per evaluation.
#include "core/promotion_index.hpp"

#include <algorithm>

#include "core/rule_index.hpp"

namespace promo {

PromotionIndex::PromotionIndex(std::span<const IndexEntry> entries) {
  min_subtotal_.reserve(entries.size());
  for (uint32_t id = 0; id < entries.size(); ++id) {
    const IndexEntry& entry = entries[id];
    min_subtotal_.push_back(entry.min_subtotal);
    if (!entry.has_tiers) continue;
    auto found = std::find_if(buckets_.begin(), buckets_.end(),
                              [&](const Bucket& b) { return b.currency == entry.currency; });
    if (found == buckets_.end()) {
      buckets_.push_back(Bucket{std::string(entry.currency), {}, {}});
      found = buckets_.end() - 1;
    }
    if (!entry.constrained) {
      found->unkeyed.emplace_back(entry.min_subtotal, id);
      continue;
    }
    for (const auto& key : entry.keys) {
      const std::string& field = key.first;
      const std::string& value = key.second;
      auto map = std::find_if(found->fields.begin(), found->fields.end(),
                              [&field](const FieldMap& m) { return m.field == field; });
      if (map == found->fields.end()) {
        found->fields.push_back(FieldMap{field, field == "sku", field == "category", {}});
        map = found->fields.end() - 1;
      }
      std::vector<uint32_t>& ids = map->ids[value];
      // Ids arrive in ascending order; a promotion listing a key twice is stored once.
      if (ids.empty() || ids.back() != id) ids.push_back(id);
    }
  }
  for (Bucket& bucket : buckets_) std::sort(bucket.unkeyed.begin(), bucket.unkeyed.end());
}

const PromotionIndex::Bucket* PromotionIndex::bucket_for(std::string_view currency) const {
  for (const Bucket& bucket : buckets_) {
    if (bucket.currency == currency) return &bucket;
  }
  return nullptr;
}

void PromotionIndex::add_keyed(const std::vector<uint32_t>& ids, int64_t subtotal,
                               std::vector<uint32_t>& out) const {
  for (uint32_t id : ids) {
    if (min_subtotal_[id] <= subtotal) out.push_back(id);
  }
}

void PromotionIndex::candidates(const Cart& cart, std::vector<uint32_t>& out,
                                WorkMeter& meter) const {
  out.clear();
  if (cart.currency == nullptr) return;
  const Bucket* bucket = bucket_for(cart.currency->code);
  if (bucket == nullptr) return;
  std::string value;
  for (const CartItem& item : cart.items) {
    meter.tick();
    for (const FieldMap& map : bucket->fields) {
      std::string_view key;
      if (map.sku) {
        key = item.sku;
      } else if (map.category) {
        key = item.category;
      } else if (rule::item_key_value(item, map.field, value)) {
        key = value;
      } else {
        continue;
      }
      if (auto hit = map.ids.find(key); hit != map.ids.end()) {
        add_keyed(hit->second, cart.subtotal, out);
      }
    }
  }
  for (const auto& [min_subtotal, id] : bucket->unkeyed) {
    if (min_subtotal > cart.subtotal) break;
    out.push_back(id);
    meter.tick();
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace promo
