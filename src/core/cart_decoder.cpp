// The cart decoder: validates a cart while its events arrive and builds the engine's Cart in
// place. Validation follows the public contract (docs: api.md "Cart"):
//   root: an object with `currency` (required, known ISO 4217 code), `items` (required, array)
//         and `codes` (optional array of non-empty strings, trimmed); any other key is an error.
//   item: an object with `sku` (required non-empty string), `quantity` (required integer >= 1),
//         `unit_price` (required integer >= 0, minor units), `product`, `category` (optional
//         strings), `attributes` (optional object of string/number/boolean/null values; nested
//         objects and arrays are accepted but stored as null); any other key is an error.
// Optional keys given as null count as absent. Numbers are judged by value (2, 2.0 and 2e0 are
// the integer 2). With duplicate keys the last value wins, as in jsonb; a value that is invalid
// is reported as soon as it is read even if a later duplicate would replace it (jsonb input
// never has duplicates, so this only concerns JSON text).
//
// Hot path: no per-event allocation besides the strings stored in the cart; the position in the
// document is a small mode plus indexes, and path text is built only for an error message.
#include "core/cart_decoder.hpp"

#include "core/json.hpp"

#include <algorithm>
#include <new>

namespace promo {

namespace {

// Where the decoder is in the document.
enum class Mode : uint8_t {
  kStart,           // before the document
  kRoot,            // in the root object, expecting a key or its end
  kRootValue,       // after a root key, expecting its value (root_field)
  kItems,           // in cart.items, expecting an item or the end
  kItem,            // in an item object, expecting a key or its end
  kItemValue,       // after an item key, expecting its value (item_field)
  kAttributes,      // in an item's attributes, expecting a key or its end
  kAttributeValue,  // after an attribute key, expecting its value
  kSkip,            // inside a nested container of an attribute value (skip_depth deep)
  kCodes,           // in cart.codes, expecting a code or the end
  kDone,            // after the root object
};

enum class RootField : uint8_t { kCurrency, kItems, kCodes };
enum class ItemField : uint8_t { kSku, kQuantity, kUnitPrice, kProduct, kCategory, kAttributes };

// A scalar as it arrived, enough to describe it in an error message.
struct Scalar {
  AttributeValue::Kind kind;
  std::string_view text;  // string or number text
  bool boolean = false;
};

constexpr size_t kShownBytes = 64;  // longest piece of input text quoted in a message

// Input text for a message: cut to kShownBytes at a UTF-8 boundary, "..." when cut.
std::string shown(std::string_view text) {
  if (text.size() <= kShownBytes) return std::string(text);
  size_t cut = kShownBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

// A string value as shown after "got": in double quotes, with quotes, backslashes and control
// characters escaped so the message reads unambiguously.
std::string quoted(std::string_view text) {
  const std::string cut = shown(text);
  std::string out = "\"";
  for (char c : cut) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[(c >> 4) & 0xF]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// What a scalar value was, as shown after "got": 5, "2", true, null.
std::string describe(const Scalar& v) {
  switch (v.kind) {
    case AttributeValue::Kind::kString:
      return quoted(v.text);
    case AttributeValue::Kind::kNumber:
      return shown(v.text);
    case AttributeValue::Kind::kBool:
      return v.boolean ? "true" : "false";
    case AttributeValue::Kind::kNull:
      break;
  }
  return "null";
}

// The JSON type name of a scalar: "string", "number", "boolean", "null".
const char* kind_name(AttributeValue::Kind kind) {
  switch (kind) {
    case AttributeValue::Kind::kString:
      return "string";
    case AttributeValue::Kind::kNumber:
      return "number";
    case AttributeValue::Kind::kBool:
      return "boolean";
    case AttributeValue::Kind::kNull:
      break;
  }
  return "null";
}

// A JSON number's exact integer value, or nullopt when it is not an integer or does not fit.
// Plain digit strings (the common case) skip the general decimal parser.
std::optional<int64_t> integer_value(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  const std::string_view digits = negative ? text.substr(1) : text;
  if (!digits.empty() && digits.size() <= 18 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    int64_t value = 0;
    for (char c : digits) value = value * 10 + (c - '0');
    return negative ? -value : value;
  }
  std::optional<Decimal> d = Decimal::parse(text);
  if (!d || !d->is_integer()) return std::nullopt;
  return d->to_int64();
}

// Leading and trailing ASCII whitespace removed.
std::string_view trimmed(std::string_view text) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!text.empty() && space(text.front())) text.remove_prefix(1);
  while (!text.empty() && space(text.back())) text.remove_suffix(1);
  return text;
}

// Sorts attributes by key and keeps the last value of each key (jsonb's rule for duplicates).
void normalize_attributes(std::vector<std::pair<std::string, AttributeValue>>& attributes) {
  auto key_less = [](const auto& a, const auto& b) { return a.first < b.first; };
  bool sorted_unique = true;
  for (size_t i = 1; i < attributes.size() && sorted_unique; ++i) {
    sorted_unique = attributes[i - 1].first < attributes[i].first;
  }
  if (sorted_unique) return;
  std::stable_sort(attributes.begin(), attributes.end(), key_less);
  size_t kept = 0;
  for (size_t i = 0; i < attributes.size(); ++i) {
    if (i + 1 < attributes.size() && attributes[i + 1].first == attributes[i].first) continue;
    if (kept != i) attributes[kept] = std::move(attributes[i]);
    ++kept;
  }
  attributes.erase(attributes.begin() + static_cast<std::ptrdiff_t>(kept), attributes.end());
}

}  // namespace

struct CartDecoder::State {
  Limits limits;
  InterruptPoll poll = nullptr;
  Cart cart;
  Mode mode = Mode::kStart;
  RootField root_field = RootField::kCurrency;
  ItemField item_field = ItemField::kSku;
  size_t depth = 0;       // open containers in the document
  size_t skip_depth = 0;  // open containers inside the attribute value being skipped
  bool has_items = false;
  bool has_sku = false, has_quantity = false, has_unit_price = false;  // current item
  std::optional<Error> error;
  bool out_of_memory = false;
  bool interrupted = false;

  // ---- paths, built only for messages ----

  std::string item_path() const {
    return "cart.items[" + std::to_string(cart.items.size() - 1) + "]";
  }

  static const char* item_field_name(ItemField f) {
    switch (f) {
      case ItemField::kSku:
        return "sku";
      case ItemField::kQuantity:
        return "quantity";
      case ItemField::kUnitPrice:
        return "unit_price";
      case ItemField::kProduct:
        return "product";
      case ItemField::kCategory:
        return "category";
      case ItemField::kAttributes:
        break;
    }
    return "attributes";
  }

  // The path of the value about to arrive (or being skipped).
  std::string value_path() const {
    switch (mode) {
      case Mode::kRootValue:
        return root_field == RootField::kCurrency ? "cart.currency"
               : root_field == RootField::kItems  ? "cart.items"
                                                  : "cart.codes";
      case Mode::kItems:
        return "cart.items[" + std::to_string(cart.items.size()) + "]";
      case Mode::kItem:
        return item_path();
      case Mode::kItemValue:
        return item_path() + "." + item_field_name(item_field);
      case Mode::kAttributes:
        return item_path() + ".attributes";
      case Mode::kAttributeValue:
      case Mode::kSkip:
        return item_path() + ".attributes." + shown(cart.items.back().attributes.back().first);
      case Mode::kCodes:
        return "cart.codes[" + std::to_string(cart.codes.size()) + "]";
      default:
        return "cart";
    }
  }

  // ---- failures: record the first, return false so the reader stops ----

  bool fail(const char* sqlstate, std::string message) {
    if (!error) error.emplace(sqlstate, std::move(message));
    return false;
  }
  bool invalid(std::string message) {
    return fail(sqlstate::kInvalidParameterValue, std::move(message));
  }
  bool unexpected_event() {
    return fail(sqlstate::kInternalError, "cart decoder received an event out of document order");
  }
  bool failed() const { return error || out_of_memory || interrupted; }

  // "<path> must be <expectation>, got <what>" for the value about to arrive.
  bool wrong_value(const char* expectation, const std::string& got) {
    return invalid(value_path() + " must be " + expectation + ", got " + got);
  }

  // The expectation for the current item field, used for every wrong type.
  const char* item_field_expectation() const {
    switch (item_field) {
      case ItemField::kSku:
        return "a non-empty string";
      case ItemField::kQuantity:
        return "a positive integer";
      case ItemField::kUnitPrice:
        return "a non-negative integer";
      case ItemField::kProduct:
      case ItemField::kCategory:
        return "a string";
      case ItemField::kAttributes:
        break;
    }
    return "an object";
  }

  // ---- containers ----

  // '{' or '[' (object says which).
  bool begin(bool object) {
    const char* got = object ? "object" : "array";
    if (++depth > limits.max_depth) {
      return fail(sqlstate::kProgramLimitExceeded,
                  value_path() + " is nested deeper than the limit of " +
                      std::to_string(limits.max_depth) + " levels");
    }
    switch (mode) {
      case Mode::kStart:
        if (!object) return invalid(std::string("cart must be a JSON object, got ") + got);
        mode = Mode::kRoot;
        return true;
      case Mode::kRootValue:
        if (root_field == RootField::kCurrency) {
          return wrong_value("a known ISO 4217 code", got);
        }
        if (root_field == RootField::kItems) {
          if (object) return wrong_value("an array", got);
          cart.items.clear();  // a repeated key: the last one wins
          cart.items.reserve(16);
          cart.subtotal = 0;
          cart.total_quantity = 0;
          has_items = true;
          mode = Mode::kItems;
          return true;
        }
        if (object) return wrong_value("an array", got);
        cart.codes.clear();
        mode = Mode::kCodes;
        return true;
      case Mode::kItems: {
        if (!object) return wrong_value("an object", got);
        if (cart.items.size() >= limits.max_items) {
          return fail(
              sqlstate::kProgramLimitExceeded,
              "cart.items exceeds the limit of " + std::to_string(limits.max_items) + " items");
        }
        cart.items.emplace_back();
        has_sku = has_quantity = has_unit_price = false;
        mode = Mode::kItem;
        return true;
      }
      case Mode::kItemValue:
        if (item_field != ItemField::kAttributes || !object) {
          return wrong_value(item_field_expectation(), got);
        }
        cart.items.back().attributes.clear();
        cart.items.back().attributes.reserve(4);
        mode = Mode::kAttributes;
        return true;
      case Mode::kAttributeValue:  // nested value: accepted, not addressable, stored as null
        mode = Mode::kSkip;
        skip_depth = 1;
        return true;
      case Mode::kSkip:
        ++skip_depth;
        return true;
      case Mode::kCodes:
        return wrong_value("a non-empty string", got);
      default:
        return unexpected_event();
    }
  }

  // '}' or ']'.
  bool end() {
    --depth;
    switch (mode) {
      case Mode::kRoot:
        if (cart.currency == nullptr) return invalid("cart.currency is required");
        if (!has_items) return invalid("cart.items is required");
        mode = Mode::kDone;
        return true;
      case Mode::kItems:
      case Mode::kCodes:
        mode = Mode::kRoot;
        return true;
      case Mode::kItem:
        mode = Mode::kItems;
        return end_item();
      case Mode::kAttributes:
        normalize_attributes(cart.items.back().attributes);
        mode = Mode::kItem;
        return true;
      case Mode::kSkip:
        if (--skip_depth == 0) mode = Mode::kAttributes;
        return true;
      default:
        return unexpected_event();
    }
  }

  // Completes an item: required keys, line total, running sums, and the interrupt poll.
  bool end_item() {
    CartItem& item = cart.items.back();
    if (!has_sku) return invalid(item_path() + ".sku is required");
    if (!has_quantity) return invalid(item_path() + ".quantity is required");
    if (!has_unit_price) return invalid(item_path() + ".unit_price is required");
    if (__builtin_mul_overflow(item.quantity, item.unit_price, &item.line_total)) {
      return fail(sqlstate::kNumericOutOfRange, item_path() + " line total is out of range");
    }
    if (__builtin_add_overflow(cart.subtotal, item.line_total, &cart.subtotal)) {
      return fail(sqlstate::kNumericOutOfRange, "cart subtotal is out of range");
    }
    if (__builtin_add_overflow(cart.total_quantity, item.quantity, &cart.total_quantity)) {
      return fail(sqlstate::kNumericOutOfRange, "cart total quantity is out of range");
    }
    if (cart.items.size() % 1000 == 0 && poll != nullptr && poll()) {
      interrupted = true;
      return false;
    }
    return true;
  }

  // ---- keys ----

  bool key(std::string_view name) {
    switch (mode) {
      case Mode::kRoot:
        if (name == "currency") {
          root_field = RootField::kCurrency;
        } else if (name == "items") {
          root_field = RootField::kItems;
        } else if (name == "codes") {
          root_field = RootField::kCodes;
        } else {
          return invalid("cart." + shown(name) + " is not a known key");
        }
        mode = Mode::kRootValue;
        return true;
      case Mode::kItem:
        if (!item_key(name))
          return invalid(item_path() + "." + shown(name) + " is not a known key");
        mode = Mode::kItemValue;
        return true;
      case Mode::kAttributes:
        if (name.size() > limits.max_string_bytes) {
          return fail(sqlstate::kProgramLimitExceeded,
                      item_path() + ".attributes has a key longer than the limit of " +
                          std::to_string(limits.max_string_bytes) + " bytes");
        }
        cart.items.back().attributes.emplace_back(std::string(name), AttributeValue{});
        mode = Mode::kAttributeValue;
        return true;
      case Mode::kSkip:
        return true;
      default:
        return unexpected_event();
    }
  }

  // Sets item_field from an item key; false when the key is not one.
  bool item_key(std::string_view name) {
    switch (name.size()) {
      case 3:
        if (name == "sku") return item_field = ItemField::kSku, true;
        break;
      case 7:
        if (name == "product") return item_field = ItemField::kProduct, true;
        break;
      case 8:
        if (name == "quantity") return item_field = ItemField::kQuantity, true;
        if (name == "category") return item_field = ItemField::kCategory, true;
        break;
      case 10:
        if (name == "unit_price") return item_field = ItemField::kUnitPrice, true;
        if (name == "attributes") return item_field = ItemField::kAttributes, true;
        break;
    }
    return false;
  }

  // ---- scalars ----

  bool scalar(const Scalar& v) {
    if (v.kind == AttributeValue::Kind::kString && v.text.size() > limits.max_string_bytes &&
        mode != Mode::kSkip) {
      return fail(sqlstate::kProgramLimitExceeded, value_path() + " is longer than the limit of " +
                                                       std::to_string(limits.max_string_bytes) +
                                                       " bytes");
    }
    switch (mode) {
      case Mode::kStart:
        return invalid(std::string("cart must be a JSON object, got ") + kind_name(v.kind));
      case Mode::kRootValue:
        return root_scalar(v);
      case Mode::kItems:
        return wrong_value("an object", kind_name(v.kind));
      case Mode::kItemValue:
        return item_scalar(v);
      case Mode::kAttributeValue:
        return attribute_scalar(v);
      case Mode::kSkip:
        return true;
      case Mode::kCodes: {
        const std::string_view code = trimmed(v.text);
        if (v.kind != AttributeValue::Kind::kString || code.empty()) {
          return wrong_value("a non-empty string", describe(v));
        }
        if (cart.codes.size() >= limits.max_codes) {
          return fail(
              sqlstate::kProgramLimitExceeded,
              "cart.codes exceeds the limit of " + std::to_string(limits.max_codes) + " codes");
        }
        cart.codes.emplace_back(code);
        return true;
      }
      default:
        return unexpected_event();
    }
  }

  bool root_scalar(const Scalar& v) {
    switch (root_field) {
      case RootField::kCurrency: {
        const Currency* currency =
            v.kind == AttributeValue::Kind::kString ? find_currency(v.text) : nullptr;
        if (currency == nullptr) {
          return wrong_value("a known ISO 4217 code", v.kind == AttributeValue::Kind::kString
                                                          ? "'" + shown(v.text) + "'"
                                                          : describe(v));
        }
        cart.currency = currency;
        break;
      }
      case RootField::kItems:
        return wrong_value("an array", kind_name(v.kind));
      case RootField::kCodes:
        if (v.kind != AttributeValue::Kind::kNull)
          return wrong_value("an array", kind_name(v.kind));
        cart.codes.clear();  // null: no codes
        break;
    }
    mode = Mode::kRoot;
    return true;
  }

  bool item_scalar(const Scalar& v) {
    CartItem& item = cart.items.back();
    const bool is_string = v.kind == AttributeValue::Kind::kString;
    const bool is_null = v.kind == AttributeValue::Kind::kNull;
    switch (item_field) {
      case ItemField::kSku:
        if (!is_string || v.text.empty()) return wrong_value("a non-empty string", describe(v));
        item.sku.assign(v.text);
        has_sku = true;
        break;
      case ItemField::kQuantity: {
        std::optional<int64_t> n;
        if (v.kind == AttributeValue::Kind::kNumber) n = integer_value(v.text);
        if (!n || *n < 1) return wrong_value("a positive integer", describe(v));
        item.quantity = *n;
        has_quantity = true;
        break;
      }
      case ItemField::kUnitPrice: {
        std::optional<int64_t> n;
        if (v.kind == AttributeValue::Kind::kNumber) n = integer_value(v.text);
        if (!n || *n < 0) return wrong_value("a non-negative integer", describe(v));
        item.unit_price = *n;
        has_unit_price = true;
        break;
      }
      case ItemField::kProduct:
      case ItemField::kCategory: {
        std::string& field = item_field == ItemField::kProduct ? item.product : item.category;
        if (is_null) {
          field.clear();
        } else if (is_string) {
          field.assign(v.text);
        } else {
          return wrong_value("a string", describe(v));
        }
        break;
      }
      case ItemField::kAttributes:
        if (!is_null) return wrong_value("an object", kind_name(v.kind));
        item.attributes.clear();
        break;
    }
    mode = Mode::kItem;
    return true;
  }

  bool attribute_scalar(const Scalar& v) {
    AttributeValue& value = cart.items.back().attributes.back().second;
    value.kind = v.kind;
    switch (v.kind) {
      case AttributeValue::Kind::kString:
        value.text.assign(v.text);
        break;
      case AttributeValue::Kind::kNumber: {
        std::optional<Decimal> d = Decimal::parse(v.text);
        if (!d) {
          return wrong_value("a number of at most 18 digits and 18 decimals", describe(v));
        }
        value.number = *d;
        break;
      }
      case AttributeValue::Kind::kBool:
        value.boolean = v.boolean;
        break;
      case AttributeValue::Kind::kNull:
        break;
    }
    mode = Mode::kAttributes;
    return true;
  }
};

// Runs one event handler: nothing after the first failure, and no exception ever escapes (an
// allocation failure is recorded and rethrown by finish()).
#define PROMO_CART_EVENT(call)                                                          \
  do {                                                                                  \
    State& s = *state_;                                                                 \
    if (s.failed()) return false;                                                       \
    try {                                                                               \
      return s.call;                                                                    \
    } catch (const std::bad_alloc&) {                                                   \
      s.out_of_memory = true;                                                           \
    } catch (...) {                                                                     \
      s.fail(sqlstate::kInternalError, "unexpected exception while decoding the cart"); \
    }                                                                                   \
    return false;                                                                       \
  } while (0)

CartDecoder::CartDecoder() : CartDecoder(Limits{}) {}

CartDecoder::CartDecoder(Limits limits, InterruptPoll poll) : state_(std::make_unique<State>()) {
  state_->limits = limits;
  state_->poll = poll;
}

CartDecoder::~CartDecoder() = default;

bool CartDecoder::begin_object() {
  PROMO_CART_EVENT(begin(true));
}
bool CartDecoder::begin_array() {
  PROMO_CART_EVENT(begin(false));
}
bool CartDecoder::end_object() {
  PROMO_CART_EVENT(end());
}
bool CartDecoder::end_array() {
  PROMO_CART_EVENT(end());
}
bool CartDecoder::key(std::string_view name) {
  PROMO_CART_EVENT(key(name));
}

bool CartDecoder::string_value(std::string_view value) {
  PROMO_CART_EVENT(scalar(Scalar{AttributeValue::Kind::kString, value}));
}

bool CartDecoder::number_value(std::string_view text) {
  PROMO_CART_EVENT(scalar(Scalar{AttributeValue::Kind::kNumber, text}));
}

bool CartDecoder::bool_value(bool value) {
  PROMO_CART_EVENT(scalar(Scalar{AttributeValue::Kind::kBool, {}, value}));
}

bool CartDecoder::null_value() {
  PROMO_CART_EVENT(scalar(Scalar{AttributeValue::Kind::kNull, {}}));
}

#undef PROMO_CART_EVENT

// Hands over the cart or throws what went wrong. The decoder is reset afterwards either way, so
// one decoder can read several documents.
Cart CartDecoder::finish() {
  std::unique_ptr<State> done = std::make_unique<State>();
  done->limits = state_->limits;
  done->poll = state_->poll;
  std::swap(done, state_);
  if (done->out_of_memory) throw std::bad_alloc();
  if (done->interrupted) throw Interrupted();
  if (done->error) throw *done->error;
  if (done->mode != Mode::kDone) {
    throw Error(sqlstate::kInternalError, "cart decoder finished before the end of the document");
  }
  return std::move(done->cart);
}

// Parses JSON text straight into a CartDecoder (no DOM in between).
Cart decode_cart_json(std::string_view json_text) {
  CartDecoder decoder;
  json::detail::Reader<CartDecoder> reader(json_text, decoder, SIZE_MAX);
  if (!reader.run()) {
    throw Error(sqlstate::kInvalidParameterValue, "cart is not valid JSON at offset " +
                                                      std::to_string(reader.error_offset()) + ": " +
                                                      reader.error());
  }
  return decoder.finish();
}

}  // namespace promo
