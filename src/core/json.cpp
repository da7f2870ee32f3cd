// The DOM half of the strict JSON reader: json::parse builds a Value tree from the same event
// stream the cart decoder consumes (json_stream.inl), so both accept exactly the same texts.
#include "core/json.hpp"

#include "core/error.hpp"

namespace promo::json {

namespace {

// Builds a Value from reader events. Keeps a stack of the open containers; a pointer to a
// container stays valid while it is open because its parent only grows after it closes.
class DomBuilder {
 public:
  explicit DomBuilder(Value& root) : root_(root) { open_.reserve(16); }

  bool begin_object() {
    open_.push_back(&place(Value::Kind::kObject));
    return true;
  }
  bool begin_array() {
    open_.push_back(&place(Value::Kind::kArray));
    return true;
  }
  bool end_object() {
    open_.pop_back();
    return true;
  }
  bool end_array() {
    open_.pop_back();
    return true;
  }
  bool key(std::string_view name) {
    pending_key_.assign(name);
    return true;
  }
  bool string_value(std::string_view value) {
    place(Value::Kind::kString).text.assign(value);
    return true;
  }
  bool number_value(std::string_view text) {
    place(Value::Kind::kNumber).text.assign(text);
    return true;
  }
  bool bool_value(bool value) {
    place(Value::Kind::kBool).boolean = value;
    return true;
  }
  bool null_value() {
    place(Value::Kind::kNull);
    return true;
  }

 private:
  // Creates the next value where the document is: the root, the next array element, or the
  // member named by the last key.
  Value& place(Value::Kind kind) {
    Value* slot;
    if (open_.empty()) {
      slot = &root_;
    } else if (Value* parent = open_.back(); parent->kind == Value::Kind::kArray) {
      slot = &parent->array.emplace_back();
    } else {
      slot = &parent->object.emplace_back(std::move(pending_key_), Value{}).second;
      pending_key_.clear();
    }
    slot->kind = kind;
    return *slot;
  }

  Value& root_;
  std::vector<Value*> open_;
  std::string pending_key_;
};

}  // namespace

Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

// The member named `key`; with duplicate keys the last one, as jsonb keeps it.
const Value* Value::find(std::string_view key) const {
  for (auto it = object.rbegin(); it != object.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

// Parses a whole document. Malformed text: Error 22023 "<what> is not valid JSON at offset N:
// <reason>"; nesting deeper than max_depth: Error 54000 "<what> is nested deeper than N levels
// at offset M".
Value parse(std::string_view text, std::string_view what, size_t max_depth) {
  Value root;
  DomBuilder builder(root);
  detail::Reader<DomBuilder> reader(text, builder, max_depth);
  if (!reader.run()) {
    const std::string offset = std::to_string(reader.error_offset());
    if (reader.depth_exceeded()) {
      throw Error(sqlstate::kProgramLimitExceeded, std::string(what) + " is nested deeper than " +
                                                       std::to_string(max_depth) +
                                                       " levels at offset " + offset);
    }
    throw Error(
        sqlstate::kInvalidParameterValue,
        std::string(what) + " is not valid JSON at offset " + offset + ": " + reader.error());
  }
  return root;
}

}  // namespace promo::json
