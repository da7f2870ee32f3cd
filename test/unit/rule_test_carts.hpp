// Hand-built carts and helpers shared by the rule language's unit tests.
#pragma once
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/money.hpp"
#include "core/rule.hpp"

#include <algorithm>
#include <random>
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

// Random well-typed rules and random carts over a small vocabulary, so that generated rules
// often hold and often fail. Seeded: runs are reproducible.
class RandomRules {
 public:
  explicit RandomRules(uint32_t seed) : rng_(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string condition(int depth = 3) {
    int choice = pick(depth > 0 ? 11 : 6);
    switch (choice) {
      case 0:
        return "subtotal " + cmp() + " " + money();
      case 1:
        return "quantity " + cmp() + " " + integer();
      case 2:
        return "has(" + item_condition(depth - 1) + ")";
      case 3:
        return "quantity(" + item_condition(depth - 1) + ") " + cmp() + " " + integer();
      case 4:
        return "amount(" + item_condition(depth - 1) + ") " + cmp() + " " + money();
      case 5:
        return pick(2) ? "true" : "false";
      case 6:
        return "not " + condition(depth - 1);
      case 7:
      case 8:
        return "(" + condition(depth - 1) + " and " + condition(depth - 1) + ")";
      case 9:
        return "(" + condition(depth - 1) + " or " + condition(depth - 1) + ")";
      default:
        return "subtotal " + cmp() + " " + money_expression(depth - 1);
    }
  }

  std::string item_condition(int depth = 2) {
    int choice = pick(depth > 0 ? 12 : 9);
    switch (choice) {
      case 0:
        return "sku = " + sku();
      case 1:
        return "sku in (" + sku() + ", " + sku() + ")";
      case 2:
        return "category = " + category();
      case 3:
        return "category " + std::string(pick(2) ? "not in" : "in") + " (" + category() + ")";
      case 4:
        return "unit_price " + cmp() + " " + money();
      case 5:
        return "quantity " + cmp() + " " + integer();
      case 6:
        return "attributes.color " + cmp() + " " + color();
      case 7:
        return "attributes.size " + cmp() + " " + std::to_string(pick(5)) + ".5";
      case 8:
        return "product <> 'x'";
      case 9:
        return "not " + item_condition(depth - 1);
      case 10:
        return "(" + item_condition(depth - 1) + " and " + item_condition(depth - 1) + ")";
      default:
        return "(" + item_condition(depth - 1) + " or " + item_condition(depth - 1) + ")";
    }
  }

  std::string money_expression(int depth) {
    switch (pick(depth > 0 ? 5 : 2)) {
      case 0:
        return "subtotal";
      case 1:
        return money();
      case 2:
        return "amount(" + item_condition(depth - 1) + ")";
      case 3:
        return "(" + money_expression(depth - 1) + " + " + money_expression(depth - 1) + ")";
      default:
        return "-" + money_expression(depth - 1) + " * " + integer();
    }
  }

  std::string cmp() {
    static const char* kOps[] = {"=", "<>", "<", "<=", ">", ">="};
    return kOps[pick(6)];
  }
  std::string money() { return std::to_string(pick(80)) + (pick(2) ? ".50" : ""); }
  std::string integer() { return std::to_string(pick(7)); }
  std::string sku() { return "'" + std::string(1, static_cast<char>('A' + pick(4))) + "'"; }
  std::string category() { return pick(3) ? "'c" + std::to_string(pick(3)) + "'" : "''"; }
  std::string color() { return pick(2) ? "'red'" : "'blue'"; }

  Cart random_cart() {
    std::vector<CartItem> items;
    int lines = pick(5);
    for (int i = 0; i < lines; ++i) {
      std::vector<std::pair<std::string, AttributeValue>> attributes;
      if (pick(2)) attributes.emplace_back("color", text_attribute(pick(2) ? "red" : "blue"));
      if (pick(2)) attributes.emplace_back("size", number_attribute(pick(60), 1));
      items.push_back(item(std::string(1, static_cast<char>('A' + pick(5))), 1 + pick(4),
                           pick(4) * 500 + pick(2) * 50,
                           pick(4) ? "c" + std::to_string(pick(4)) : "", "p",
                           std::move(attributes)));
    }
    return cart(std::move(items));
  }

 private:
  std::mt19937 rng_;
};

}  // namespace promo::rule::testing
