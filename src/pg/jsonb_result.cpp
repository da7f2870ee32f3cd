// promo::Result -> jsonb (see jsonb_result.hpp). Built with pushJsonbValue, numbers with
// int64_to_numeric: no text is generated and parsed again. Keys are pushed in jsonb's storage
// order (shorter keys first, then bytewise), so the key sort done at the end of every object
// finds them already sorted: a 100,000-line result has 100,000 item objects.
//
// {"currency", "subtotal", "discount", "total",
//  "applied": [{"promotion", "tier", "discount"}],
//  "items": [{"index", "sku", "quantity", "unit_price", "discount", "total",
//             "discounts": [{"promotion", "amount"}]}],
//  "not_applied": [{"promotion", "reason_code", "reason"}],
//  "hints": [{"promotion", "tier", "missing"}]}
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/jsonb_result.hpp"

namespace promo::pg {

namespace {

// The builder only points at the Result's strings; they outlive the build, which ends with
// JsonbValueToJsonb copying everything into the final datum.
void push_key(JsonbParseState** state, const char* key) {
  JsonbValue value;
  value.type = jbvString;
  value.val.string.val = const_cast<char*>(key);
  value.val.string.len = static_cast<int>(strlen(key));
  pushJsonbValue(state, WJB_KEY, &value);
}

void push_string(JsonbParseState** state, std::string_view text) {
  JsonbValue value;
  value.type = jbvString;
  value.val.string.val = const_cast<char*>(text.data());
  value.val.string.len = static_cast<int>(text.size());
  pushJsonbValue(state, WJB_VALUE, &value);
}

void push_integer(JsonbParseState** state, int64_t number) {
  JsonbValue value;
  value.type = jbvNumeric;
  value.val.numeric = int64_to_numeric(number);
  pushJsonbValue(state, WJB_VALUE, &value);
}

void push_null(JsonbParseState** state) {
  JsonbValue value;
  value.type = jbvNull;
  pushJsonbValue(state, WJB_VALUE, &value);
}

void push_string_field(JsonbParseState** state, const char* key, std::string_view text) {
  push_key(state, key);
  push_string(state, text);
}

void push_integer_field(JsonbParseState** state, const char* key, int64_t number) {
  push_key(state, key);
  push_integer(state, number);
}

// One entry of "items", with the per-promotion split of its discount.
void push_item(JsonbParseState** state, const promo::Result& result,
               const promo::ItemResult& item) {
  pushJsonbValue(state, WJB_BEGIN_OBJECT, nullptr);
  push_string_field(state, "sku", item.sku);
  push_integer_field(state, "index", static_cast<int64_t>(item.index));
  push_integer_field(state, "total", item.total);
  push_integer_field(state, "discount", item.discount);
  push_integer_field(state, "quantity", item.quantity);
  push_key(state, "discounts");
  pushJsonbValue(state, WJB_BEGIN_ARRAY, nullptr);
  for (const promo::LineDiscount& share : item.discounts) {
    pushJsonbValue(state, WJB_BEGIN_OBJECT, nullptr);
    push_key(state, "promotion");
    if (share.applied_index < result.applied.size()) {
      push_string(state, result.applied[share.applied_index].promotion);
    } else {
      push_null(state);
    }
    push_integer_field(state, "amount", share.amount);
    pushJsonbValue(state, WJB_END_OBJECT, nullptr);
  }
  pushJsonbValue(state, WJB_END_ARRAY, nullptr);
  push_integer_field(state, "unit_price", item.unit_price);
  pushJsonbValue(state, WJB_END_OBJECT, nullptr);
}

// The whole document. C-style (no C++ objects owned here): runs under pg_guard.
Jsonb* build_result(const promo::Result& result) {
  JsonbParseState* state = nullptr;
  pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
  push_key(&state, "hints");
  pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  for (const promo::Hint& hint : result.hints) {
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    push_string_field(&state, "tier", hint.tier);
    push_string_field(&state, "missing", hint.missing);
    push_string_field(&state, "promotion", hint.promotion);
    pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  }
  pushJsonbValue(&state, WJB_END_ARRAY, nullptr);

  push_key(&state, "items");
  pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  for (const promo::ItemResult& item : result.items) push_item(&state, result, item);
  pushJsonbValue(&state, WJB_END_ARRAY, nullptr);

  push_integer_field(&state, "total", result.total);
  push_key(&state, "applied");
  pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  for (const promo::AppliedPromotion& applied : result.applied) {
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    push_string_field(&state, "tier", applied.tier);
    push_integer_field(&state, "discount", applied.discount);
    push_string_field(&state, "promotion", applied.promotion);
    pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  }
  pushJsonbValue(&state, WJB_END_ARRAY, nullptr);

  push_key(&state, "currency");
  if (result.currency != nullptr) {
    push_string(&state, result.currency->code);
  } else {
    push_null(&state);
  }
  push_integer_field(&state, "discount", result.discount);
  push_integer_field(&state, "subtotal", result.subtotal);
  push_key(&state, "not_applied");
  pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
  for (const promo::NotApplied& entry : result.not_applied) {
    pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
    push_string_field(&state, "reason", entry.reason);
    push_string_field(&state, "promotion", entry.promotion);
    push_string_field(&state, "reason_code", entry.reason_code);
    pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  }
  pushJsonbValue(&state, WJB_END_ARRAY, nullptr);

  JsonbValue* root = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
  return JsonbValueToJsonb(root);
}

}  // namespace

Jsonb* result_to_jsonb(const promo::Result& result) {
  return pg_guard([&result] { return build_result(result); });
}

}  // namespace promo::pg
