// promo::Result -> jsonb (see jsonb_result.hpp). The document is built as one in-memory
// JsonbValue tree (objects with their pairs already in jsonb's storage order: shorter keys
// first, then bytewise) and serialized once by JsonbValueToJsonb. No text is generated and
// parsed again, no key is sorted at run time, and numbers are written straight into one block
// of memory (small_numeric.hpp) instead of one int64_to_numeric allocation each.
//
// {"currency", "subtotal", "discount", "total",
//  "applied": [{"promotion", "tier", "discount", "code" (when a cart code was used)}],
//  "items": [{"index", "sku", "quantity", "unit_price", "discount", "total",
//             "discounts": [{"promotion", "amount"}]}],
//  "not_applied": [{"promotion" (null for an unknown code), "reason_code", "reason", "code"}],
//  "hints": [{"promotion", "tier", "missing"}]}
//
// Each object's keys are listed once, in a constexpr array checked at compile time to be in
// jsonb's order; the builder fills the pairs in that order (a wrong order would make key
// lookups such as `->` miss keys, so it must never compile).
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/jsonb_result.hpp"
#include "pg/small_numeric.hpp"

namespace promo::pg {

namespace {

// jsonb's key order (lengthCompareJsonbString): shorter first, equal lengths bytewise.
template <size_t N>
constexpr bool keys_in_jsonb_order(const std::string_view (&keys)[N]) {
  for (size_t k = 1; k < N; ++k) {
    if (keys[k - 1].size() > keys[k].size()) return false;
    if (keys[k - 1].size() == keys[k].size() && !(keys[k - 1] < keys[k])) return false;
  }
  return true;
}

#define PROMO_JSONB_KEYS(name, ...)                  \
  constexpr std::string_view name[] = {__VA_ARGS__}; \
  static_assert(keys_in_jsonb_order(name), #name " must be in jsonb key order")

PROMO_JSONB_KEYS(kResultKeys, "hints", "items", "total", "applied", "currency", "discount",
                 "subtotal", "not_applied");
PROMO_JSONB_KEYS(kItemKeys, "sku", "index", "total", "discount", "quantity", "discounts",
                 "unit_price");
PROMO_JSONB_KEYS(kShareKeys, "amount", "promotion");
PROMO_JSONB_KEYS(kAppliedKeys, "tier", "discount", "promotion");
PROMO_JSONB_KEYS(kAppliedCodeKeys, "code", "tier", "discount", "promotion");
PROMO_JSONB_KEYS(kNotAppliedKeys, "reason", "promotion", "reason_code");
PROMO_JSONB_KEYS(kNotAppliedCodeKeys, "code", "reason", "promotion", "reason_code");
PROMO_JSONB_KEYS(kHintKeys, "tier", "missing", "promotion");

#undef PROMO_JSONB_KEYS

// Fills JsonbValues. Strings point at the Result's own strings (they outlive the build, which
// ends with JsonbValueToJsonb copying everything into the final datum); numbers are carved out
// of one palloc'd block sized for the whole document.
class TreeBuilder {
 public:
  explicit TreeBuilder(size_t number_count)
      : numbers_(static_cast<char*>(palloc(number_count * kSmallNumericMaxBytes))),
        numbers_left_(number_count) {}

  // Makes `value` an object with the keys `keys` (values still to be filled) and returns its
  // pairs; pair k has key keys[k].
  template <size_t N>
  JsonbPair* object(JsonbValue& value, const std::string_view (&keys)[N]) {
    JsonbPair* pairs = static_cast<JsonbPair*>(palloc(sizeof(JsonbPair) * N));
    for (size_t k = 0; k < N; ++k) {
      string(pairs[k].key, keys[k]);
      pairs[k].order = static_cast<uint32>(k);
    }
    value.type = jbvObject;
    value.val.object.nPairs = static_cast<int>(N);
    value.val.object.pairs = pairs;
    return pairs;
  }

  // Makes `value` an array of `count` elements (to be filled) and returns them.
  JsonbValue* array(JsonbValue& value, size_t count) {
    JsonbValue* elements =
        count > 0 ? static_cast<JsonbValue*>(palloc(sizeof(JsonbValue) * count)) : nullptr;
    value.type = jbvArray;
    value.val.array.nElems = static_cast<int>(count);
    value.val.array.elems = elements;
    value.val.array.rawScalar = false;
    return elements;
  }

  static void string(JsonbValue& value, std::string_view text) {
    value.type = jbvString;
    value.val.string.val = const_cast<char*>(text.data());
    value.val.string.len = static_cast<int>(text.size());
  }

  static void null(JsonbValue& value) { value.type = jbvNull; }

  void integer(JsonbValue& value, int64_t number) {
    value.type = jbvNumeric;
    if (numbers_left_ == 0) {  // never happens when the count was right; stay correct anyway
      value.val.numeric = int64_to_numeric(number);
      return;
    }
    --numbers_left_;
    value.val.numeric = write_small_numeric(number, numbers_);
    numbers_ += kSmallNumericMaxBytes;
  }

 private:
  char* numbers_;
  size_t numbers_left_;
};

// How many numbers the document holds: the block TreeBuilder carves them from.
size_t number_count(const promo::Result& result) {
  size_t count = 3 + result.applied.size();  // total, discount, subtotal; applied discounts
  for (const promo::ItemResult& item : result.items) count += 5 + item.discounts.size();
  return count;
}

// One entry of "items", with the per-promotion split of its discount.
void fill_item(TreeBuilder& builder, JsonbValue& value, const promo::Result& result,
               const promo::ItemResult& item) {
  JsonbPair* pairs = builder.object(value, kItemKeys);
  TreeBuilder::string(pairs[0].value, item.sku);
  builder.integer(pairs[1].value, static_cast<int64_t>(item.index));
  builder.integer(pairs[2].value, item.total);
  builder.integer(pairs[3].value, item.discount);
  builder.integer(pairs[4].value, item.quantity);
  JsonbValue* shares = builder.array(pairs[5].value, item.discounts.size());
  for (size_t s = 0; s < item.discounts.size(); ++s) {
    const promo::LineDiscount& share = item.discounts[s];
    JsonbPair* share_pairs = builder.object(shares[s], kShareKeys);
    builder.integer(share_pairs[0].value, share.amount);
    if (share.applied_index < result.applied.size()) {
      TreeBuilder::string(share_pairs[1].value, result.applied[share.applied_index].promotion);
    } else {
      TreeBuilder::null(share_pairs[1].value);
    }
  }
  builder.integer(pairs[6].value, item.unit_price);
}

// The whole document. C-style (no C++ objects with destructors owned here): runs under pg_guard.
Jsonb* build_result(const promo::Result& result) {
  TreeBuilder builder(number_count(result));
  JsonbValue root;
  JsonbPair* top = builder.object(root, kResultKeys);

  JsonbValue* hints = builder.array(top[0].value, result.hints.size());
  for (size_t h = 0; h < result.hints.size(); ++h) {
    const promo::Hint& hint = result.hints[h];
    JsonbPair* pairs = builder.object(hints[h], kHintKeys);
    TreeBuilder::string(pairs[0].value, hint.tier);
    TreeBuilder::string(pairs[1].value, hint.missing);
    TreeBuilder::string(pairs[2].value, hint.promotion);
  }

  JsonbValue* items = builder.array(top[1].value, result.items.size());
  for (size_t i = 0; i < result.items.size(); ++i) {
    fill_item(builder, items[i], result, result.items[i]);
  }

  builder.integer(top[2].value, result.total);

  JsonbValue* applied = builder.array(top[3].value, result.applied.size());
  for (size_t a = 0; a < result.applied.size(); ++a) {
    const promo::AppliedPromotion& entry = result.applied[a];
    const bool with_code = !entry.code.empty();
    JsonbPair* pairs = with_code ? builder.object(applied[a], kAppliedCodeKeys)
                                 : builder.object(applied[a], kAppliedKeys);
    if (with_code) TreeBuilder::string((pairs++)->value, entry.code);
    TreeBuilder::string(pairs[0].value, entry.tier);
    builder.integer(pairs[1].value, entry.discount);
    TreeBuilder::string(pairs[2].value, entry.promotion);
  }

  if (result.currency != nullptr) {
    TreeBuilder::string(top[4].value, result.currency->code);
  } else {
    TreeBuilder::null(top[4].value);
  }
  builder.integer(top[5].value, result.discount);
  builder.integer(top[6].value, result.subtotal);

  JsonbValue* not_applied = builder.array(top[7].value, result.not_applied.size());
  for (size_t n = 0; n < result.not_applied.size(); ++n) {
    const promo::NotApplied& entry = result.not_applied[n];
    const bool with_code = !entry.code.empty();
    JsonbPair* pairs = with_code ? builder.object(not_applied[n], kNotAppliedCodeKeys)
                                 : builder.object(not_applied[n], kNotAppliedKeys);
    if (with_code) TreeBuilder::string((pairs++)->value, entry.code);
    TreeBuilder::string(pairs[0].value, entry.reason);
    if (entry.promotion.empty()) {  // a cart code of no promotion
      TreeBuilder::null(pairs[1].value);
    } else {
      TreeBuilder::string(pairs[1].value, entry.promotion);
    }
    TreeBuilder::string(pairs[2].value, entry.reason_code);
  }

  return JsonbValueToJsonb(&root);
}

}  // namespace

Jsonb* result_to_jsonb(const promo::Result& result) {
  return pg_guard([&result] { return build_result(result); });
}

}  // namespace promo::pg
