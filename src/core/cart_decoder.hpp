// Validates a cart while it is being read and builds the engine's Cart. It is fed document
// events (SAX style) so the adapter can drive it straight from jsonb's binary iterator and the
// fuzz target / tests from JSON text, with the same validation and the same error messages.
#pragma once
#include "core/cpp_only.hpp"
#include "core/cart.hpp"
#include "core/error.hpp"

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace promo {

class CartDecoder {
 public:
  struct Limits {
    size_t max_items = 1'000'000;
    size_t max_codes = 100;
    size_t max_depth = 64;  // nesting allowed inside item attributes
    size_t max_string_bytes = 10'000;
  };

  CartDecoder();
  explicit CartDecoder(Limits limits, InterruptPoll poll = nullptr);
  ~CartDecoder();
  CartDecoder(const CartDecoder&) = delete;
  CartDecoder& operator=(const CartDecoder&) = delete;

  // Document events in order. Each returns false once the cart is known to be invalid (the
  // first error is kept); the caller should then stop feeding events. They never throw.
  // A top-level scalar is fed as a single value event with no container around it.
  bool begin_object();
  bool end_object();
  bool begin_array();
  bool end_array();
  bool key(std::string_view name);
  bool string_value(std::string_view value);
  // `text` is the number as written in JSON (e.g. "2", "-2", "1.5", "1e3").
  bool number_value(std::string_view text);
  bool bool_value(bool value);
  bool null_value();

  // Ends the document: returns the cart or throws the first Error recorded (SQLSTATE 22023,
  // message naming the path, e.g. "cart.items[3].quantity must be a positive integer, got -2").
  // Throws Interrupted if the poll reported a pending cancel.
  Cart finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Convenience for tests, fuzzing and benchmarks: parses JSON text and feeds a CartDecoder.
// Malformed JSON is an Error(22023) "cart is not valid JSON at offset N".
Cart decode_cart_json(std::string_view json_text);

}  // namespace promo
