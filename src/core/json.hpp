// A small, strict JSON reader (RFC 8259) used for discount definitions and, in tests and fuzz
// targets, to drive the cart decoder from text. Depth-limited; never recursive on input depth
// beyond the limit.
#pragma once
#include "core/cpp_only.hpp"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace promo::json {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kString: the decoded string; kNumber: the number as written
  std::vector<Value> array;
  std::vector<std::pair<std::string, Value>> object;  // in document order, duplicates kept

  // Declared here and defaulted in json.cpp, where Value is complete: clang with libstdc++
  // rejects the implicit versions because std::pair<std::string, Value> needs a complete Value.
  Value();
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();

  const Value* find(std::string_view key) const;  // last occurrence, like jsonb
};

// Throws promo::Error(22023) "<what> is not valid JSON at offset N: <reason>".
Value parse(std::string_view text, std::string_view what, size_t max_depth = 64);

// Streams the events of `text` into a sink with the CartDecoder's event methods
// (begin_object, end_object, begin_array, end_array, key, string_value, number_value,
// bool_value, null_value), stopping when one returns false. Returns false on malformed JSON
// and sets *error_offset.
template <class Sink>
bool stream(std::string_view text, Sink& sink, size_t* error_offset);

}  // namespace promo::json

#include "core/json_stream.inl"
