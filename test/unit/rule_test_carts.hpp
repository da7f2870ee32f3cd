// Hand-built carts and helpers shared by the rule language's unit tests.
#pragma once
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/money.hpp"
#include "core/rule.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace promo::rule::testing {

inline const Currency kUsd{"USD", 2};
inline const Currency kJpy{"JPY", 0};
inline const Currency kBhd{"BHD", 3};

// One cart line; line_total is derived.
inline CartItem item(std::string sku, int64_t quantity, int64_t unit_price,
                     std::string category = "", std::string product = "",
                     std::vector<std::pair<std::string, AttributeValue>> attributes = {}) {
  CartItem i;
  i.sku = std::move(sku);
  i.quantity = quantity;
  i.unit_price = unit_price;
  i.line_total = quantity * unit_price;
  i.category = std::move(category);
  i.product = std::move(product);
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  i.attributes = std::move(attributes);
  return i;
}

inline AttributeValue text_attribute(std::string text) {
  AttributeValue v;
  v.kind = AttributeValue::Kind::kString;
  v.text = std::move(text);
  return v;
}
inline AttributeValue number_attribute(int64_t mantissa, int scale = 0) {
  AttributeValue v;
  v.kind = AttributeValue::Kind::kNumber;
  v.number = Decimal{mantissa, scale};
  return v;
}
inline AttributeValue bool_attribute(bool b) {
  AttributeValue v;
  v.kind = AttributeValue::Kind::kBool;
  v.boolean = b;
  return v;
}
inline AttributeValue null_attribute() {
  return AttributeValue{};
}

// A USD cart with subtotal and total quantity computed from its lines.
inline Cart cart(std::vector<CartItem> items, const Currency& currency = kUsd) {
  Cart c;
  c.currency = &currency;
  c.items = std::move(items);
  for (const auto& i : c.items) {
    c.subtotal += i.line_total;
    c.total_quantity += i.quantity;
  }
  return c;
}

inline std::shared_ptr<const Program> condition(std::string_view text,
                                                const Currency& currency = kUsd) {
  return compile(text, Context::kCondition, currency);
}

// Evaluates a condition against a cart.
inline bool holds(std::string_view text, const Cart& c) {
  Facts facts{&c};
  return condition(text, *c.currency)->eval_condition(facts);
}

// The message (and SQLSTATE) compile() throws, or "" when it compiles.
struct Failure {
  std::string sqlstate;
  std::string message;
  std::string hint;
};
inline Failure failure(std::string_view text, Context context = Context::kCondition,
                       const Currency& currency = kUsd) {
  try {
    compile(text, context, currency);
  } catch (const Error& e) {
    return {e.sqlstate(), e.what(), e.hint()};
  }
  return {};
}

}  // namespace promo::rule::testing
