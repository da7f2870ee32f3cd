// The promotion index: which promotions could possibly apply to a cart, so an evaluation only
// runs the conditions of those (plus the ones nothing can be said about ahead of time).
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/work_meter.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace promo {

// What the index needs to know about one promotion (id = its position in evaluation order).
struct IndexEntry {
  std::string_view currency;  // ISO code of the promotion
  bool has_tiers = false;     // promotions without tiers never apply and are not indexed
  // True when every tier's condition can only hold if some item has one of `keys`.
  bool constrained = false;
  std::vector<std::pair<std::string, std::string>> keys;  // (field, value): rule_index.hpp
  int64_t min_subtotal = 0;  // smallest cart subtotal for which any tier can hold
};

// Per currency: keyed promotions in one hash map per key field (sku, category, an attribute, or
// several joined: rule_index.hpp), the rest in a list sorted by min_subtotal. Immutable after
// construction; safe to share between evaluations.
class PromotionIndex {
 public:
  PromotionIndex() = default;
  explicit PromotionIndex(std::span<const IndexEntry> entries);

  // Ids (ascending = evaluation order, no duplicates) of the promotions in the cart's currency
  // whose conditions are not known to be false for this cart: keyed ones with a key some item
  // has, and unkeyed ones, each only when min_subtotal <= cart subtotal.
  // `out` is cleared first.
  void candidates(const Cart& cart, std::vector<uint32_t>& out, WorkMeter& meter) const;

 private:
  // Hash and equality that accept std::string_view without building a std::string.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using KeyMap = std::unordered_map<std::string, std::vector<uint32_t>, TextHash, std::equal_to<>>;

  // The promotions keyed on one field.
  struct FieldMap {
    std::string field;
    bool sku = false;       // the field is "sku": the item's value is read in place
    bool category = false;  // the field is "category"
    KeyMap ids;
  };

  struct Bucket {
    std::string currency;
    std::vector<FieldMap> fields;
    std::vector<std::pair<int64_t, uint32_t>> unkeyed;  // (min_subtotal, id), sorted
  };

  const Bucket* bucket_for(std::string_view currency) const;
  // Appends ids in `ids` whose min_subtotal does not exceed `subtotal`.
  void add_keyed(const std::vector<uint32_t>& ids, int64_t subtotal,
                 std::vector<uint32_t>& out) const;

  std::vector<Bucket> buckets_;
  std::vector<int64_t> min_subtotal_;  // by id
};

}  // namespace promo
