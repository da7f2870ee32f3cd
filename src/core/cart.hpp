// The engine's cart: what evaluate_cart receives, after validation.
#pragma once
#include "core/cpp_only.hpp"
#include "core/decimal.hpp"
#include "core/money.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promo {

// An item attribute value. Nested objects and arrays are accepted in the cart but are not
// addressable from rules; they decode as kNull.
struct AttributeValue {
  enum class Kind { kNull, kBool, kNumber, kString };
  Kind kind = Kind::kNull;
  bool boolean = false;
  Decimal number;
  std::string text;
};

struct CartItem {
  std::string sku;
  std::string product;     // "" when absent
  std::string category;    // "" when absent
  int64_t quantity = 0;    // >= 1
  int64_t unit_price = 0;  // minor units, >= 0
  int64_t line_total = 0;  // quantity * unit_price, overflow-checked
  // Sorted by key, keys unique, so lookups are a binary search.
  std::vector<std::pair<std::string, AttributeValue>> attributes;

  const AttributeValue* attribute(std::string_view key) const;
};

struct Cart {
  const Currency* currency = nullptr;  // never null after decoding
  std::vector<CartItem> items;         // in input order; duplicate SKUs stay separate lines
  std::vector<std::string> codes;      // as given (trimmed), for code-gated promotions
  int64_t subtotal = 0;                // sum of line totals, overflow-checked
  int64_t total_quantity = 0;          // sum of quantities
};

}  // namespace promo
