// The streaming half of the strict JSON reader declared in json.hpp (included at its end). It is
// a template so the cart decoder's event methods are called directly, without virtual calls, on
// the hot path of every cart read from text.
//
// Strict RFC 8259: UTF-8 is validated (no overlongs, no surrogates encoded as UTF-8, nothing
// above U+10FFFF); \u escapes are decoded, surrogate pairs joined and lone surrogates rejected;
// \u0000 is rejected as PostgreSQL text (and so jsonb) cannot hold it; no trailing commas, no
// leading zeros, no bare control characters in strings, nothing after the document. The reader is
// iterative: nesting costs one byte of heap per level, never stack.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promo::json::detail {

// Reads one document from `text` and feeds its events to `sink`. After run(): error() is empty
// when the text was well formed up to where it stopped, otherwise it says why and error_offset()
// says where (byte offset). stopped_by_sink() tells that the sink asked to stop.
template <class Sink>
class Reader {
 public:
  Reader(std::string_view text, Sink& sink, size_t max_depth)
      : text_(text), sink_(sink), max_depth_(max_depth) {}

  // Runs the state machine over the whole text: values, then what may follow them given the
  // innermost open container. Returns true when the text is well formed (or the sink stopped).
  bool run() {
    containers_.reserve(16);
    for (;;) {
      if (!read_value()) return false;
      if (done_) return true;
      // After a value: a separator, a closing bracket, or the end of the document.
      for (;;) {
        if (containers_.empty()) {
          skip_whitespace();
          if (pos_ != text_.size()) return fail("unexpected data after the document");
          return true;
        }
        skip_whitespace();
        if (pos_ == text_.size()) return fail("unexpected end of input");
        const char c = text_[pos_];
        const bool in_object = containers_.back() == kObject;
        if (c == ',') {
          ++pos_;
          if (in_object && !read_key()) return false;
          if (done_) return true;
          break;  // read the next value
        }
        if (c == (in_object ? '}' : ']')) {
          ++pos_;
          containers_.pop_back();
          if (!(in_object ? sink_.end_object() : sink_.end_array())) return stop();
          continue;  // what follows the container just closed
        }
        return fail(in_object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

  const char* error() const { return error_; }
  size_t error_offset() const { return error_offset_; }
  bool stopped_by_sink() const { return stopped_; }
  bool depth_exceeded() const { return depth_exceeded_; }

 private:
  static constexpr char kObject = 1;
  static constexpr char kArray = 2;

  // Records the first malformation at the current position.
  bool fail(const char* reason) {
    error_ = reason;
    error_offset_ = pos_;
    return false;
  }

  // The sink said stop: the reading ends without an error of its own.
  bool stop() {
    stopped_ = true;
    done_ = true;
    return true;
  }

  void skip_whitespace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // Reads one value. Scalars are complete when it returns; for '{' and '[' it opens the
  // container and, when it is empty, closes it at once, otherwise leaves the reader positioned
  // at the first member (after its key for objects) so run() continues with the next value.
  bool read_value() {
    for (;;) {
      skip_whitespace();
      if (pos_ == text_.size()) return fail("unexpected end of input");
      const char c = text_[pos_];
      switch (c) {
        case '{':
        case '[': {
          const bool object = c == '{';
          if (containers_.size() >= max_depth_) {
            depth_exceeded_ = true;
            return fail("nesting is too deep");
          }
          ++pos_;
          if (!(object ? sink_.begin_object() : sink_.begin_array())) return stop();
          containers_.push_back(object ? kObject : kArray);
          skip_whitespace();
          if (pos_ < text_.size() && text_[pos_] == (object ? '}' : ']')) {
            ++pos_;
            containers_.pop_back();
            if (!(object ? sink_.end_object() : sink_.end_array())) return stop();
            return true;
          }
          if (object) {
            if (!read_key()) return false;
            if (done_) return true;
          }
          continue;  // the first member's value
        }
        case '"': {
          std::string_view value;
          if (!read_string(value)) return false;
          if (!sink_.string_value(value)) return stop();
          return true;
        }
        case 't':
          return read_literal("true") && (sink_.bool_value(true) || stop());
        case 'f':
          return read_literal("false") && (sink_.bool_value(false) || stop());
        case 'n':
          return read_literal("null") && (sink_.null_value() || stop());
        default:
          if (c == '-' || (c >= '0' && c <= '9')) {
            const size_t start = pos_;
            if (!read_number()) return false;
            if (!sink_.number_value(text_.substr(start, pos_ - start))) return stop();
            return true;
          }
          return fail(c == ']' || c == '}' || c == ',' ? "expected a value"
                                                       : "unexpected character");
      }
    }
  }

  // Reads `"key" :` inside an object and passes the key to the sink.
  bool read_key() {
    skip_whitespace();
    if (pos_ == text_.size()) return fail("unexpected end of input");
    if (text_[pos_] != '"') return fail("expected a string key");
    std::string_view name;
    if (!read_string(name)) return false;
    skip_whitespace();
    if (pos_ == text_.size()) return fail("unexpected end of input");
    if (text_[pos_] != ':') return fail("expected ':'");
    ++pos_;
    if (!sink_.key(name)) return stop();
    return true;
  }

  bool read_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("unexpected character");
    pos_ += word.size();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool read_number() {
    auto is_digit = [&](size_t at) {
      return at < text_.size() && text_[at] >= '0' && text_[at] <= '9';
    };
    if (text_[pos_] == '-') ++pos_;
    if (!is_digit(pos_)) return fail("expected a digit");
    if (text_[pos_] == '0') {
      ++pos_;
      if (is_digit(pos_)) return fail("leading zeros are not allowed");
    } else {
      while (is_digit(pos_)) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!is_digit(pos_)) return fail("expected a digit after the decimal point");
      while (is_digit(pos_)) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!is_digit(pos_)) return fail("expected a digit in the exponent");
      while (is_digit(pos_)) ++pos_;
    }
    return true;
  }

  // True for the bytes a string can hold as they are: printable ASCII except '"' and '\\'.
  static bool is_plain(unsigned char c) {
    static constexpr auto kPlain = [] {
      std::array<bool, 256> table{};
      for (int c = 0x20; c < 0x80; ++c) table[static_cast<size_t>(c)] = c != '"' && c != '\\';
      return table;
    }();
    return kPlain[c];
  }

  // Reads a string starting at its opening quote. Without escapes the result points into the
  // text (no copy); with escapes it points into a scratch buffer valid until the next string.
  // Runs of plain ASCII are skipped in a tight loop; only escapes, control characters and
  // multi-byte UTF-8 sequences take the slow path.
  bool read_string(std::string_view& out) {
    const char* const data = text_.data();
    const size_t size = text_.size();
    ++pos_;  // opening quote
    const size_t start = pos_;
    size_t copied_to = start;  // with escapes: input before this is already in scratch_
    bool escaped = false;
    for (;;) {
      size_t p = pos_;
      while (p < size && is_plain(static_cast<unsigned char>(data[p]))) ++p;
      pos_ = p;
      if (pos_ == size) return fail("unterminated string");
      const unsigned char c = static_cast<unsigned char>(data[pos_]);
      if (c == '"') break;
      if (c == '\\') {
        if (!escaped) scratch_.clear();
        escaped = true;
        scratch_.append(data + copied_to, pos_ - copied_to);
        if (!read_escape()) return false;
        copied_to = pos_;
        continue;
      }
      if (c < 0x20) return fail("control character in string");
      size_t end = pos_;
      if (!skip_utf8_sequence(end)) return fail("invalid UTF-8");
      pos_ = end;
    }
    if (escaped) {
      scratch_.append(data + copied_to, pos_ - copied_to);
      out = scratch_;
    } else {
      out = text_.substr(start, pos_ - start);
    }
    ++pos_;  // closing quote
    return true;
  }

  // Validates one multi-byte UTF-8 sequence starting at `at`; moves `at` past it.
  bool skip_utf8_sequence(size_t& at) const {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[i]); };
    const unsigned char lead = byte(at);
    size_t length;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // no overlongs
      if (lead == 0xED) high = 0x9F;  // no UTF-16 surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // no overlongs
      if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (text_.size() - at < length) return false;
    if (byte(at + 1) < low || byte(at + 1) > high) return false;
    for (size_t i = 2; i < length; ++i) {
      if ((byte(at + i) & 0xC0) != 0x80) return false;
    }
    at += length;
    return true;
  }

  // Reads four hex digits after "\u" at pos_ (pointing at the 'u').
  bool read_hex4(uint32_t& value) {
    if (text_.size() - pos_ < 5) return fail("invalid \\u escape");
    value = 0;
    for (size_t i = 1; i <= 4; ++i) {
      const char h = text_[pos_ + i];
      uint32_t digit;
      if (h >= '0' && h <= '9') {
        digit = static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        digit = static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        digit = static_cast<uint32_t>(h - 'A' + 10);
      } else {
        pos_ += i;
        return fail("invalid \\u escape");
      }
      value = value * 16 + digit;
    }
    pos_ += 5;
    return true;
  }

  // Decodes one escape at pos_ (the backslash) into scratch_.
  bool read_escape() {
    ++pos_;
    if (pos_ == text_.size()) return fail("unterminated string");
    const char e = text_[pos_];
    char simple = 0;
    switch (e) {
      case '"':
        simple = '"';
        break;
      case '\\':
        simple = '\\';
        break;
      case '/':
        simple = '/';
        break;
      case 'b':
        simple = '\b';
        break;
      case 'f':
        simple = '\f';
        break;
      case 'n':
        simple = '\n';
        break;
      case 'r':
        simple = '\r';
        break;
      case 't':
        simple = '\t';
        break;
      case 'u':
        break;
      default:
        return fail("invalid escape");
    }
    if (simple != 0) {
      scratch_.push_back(simple);
      ++pos_;
      return true;
    }
    const size_t escape_start = pos_ - 1;
    uint32_t code;
    if (!read_hex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) {
      pos_ = escape_start;
      return fail("lone low surrogate in \\u escape");
    }
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (text_.size() - pos_ < 2 || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
        pos_ = escape_start;
        return fail("high surrogate not followed by a low surrogate");
      }
      ++pos_;
      uint32_t low;
      if (!read_hex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) {
        pos_ = escape_start;
        return fail("high surrogate not followed by a low surrogate");
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    if (code == 0) {
      pos_ = escape_start;
      return fail("\\u0000 is not supported");
    }
    append_utf8(code);
    return true;
  }

  void append_utf8(uint32_t code) {
    if (code < 0x80) {
      scratch_.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      scratch_.push_back(static_cast<char>(0xC0 | (code >> 6)));
      scratch_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      scratch_.push_back(static_cast<char>(0xE0 | (code >> 12)));
      scratch_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      scratch_.push_back(static_cast<char>(0xF0 | (code >> 18)));
      scratch_.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      scratch_.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::string_view text_;
  Sink& sink_;
  size_t max_depth_;
  size_t pos_ = 0;
  std::vector<char> containers_;  // kObject / kArray, innermost last
  std::string scratch_;           // decoded text of strings with escapes
  const char* error_ = nullptr;
  size_t error_offset_ = 0;
  bool stopped_ = false;
  bool depth_exceeded_ = false;
  bool done_ = false;  // set when the sink stopped the reading
};

}  // namespace promo::json::detail

namespace promo::json {

// See json.hpp. Returns false only for malformed JSON (setting *error_offset); a sink that stops
// the reading ends it early with true, leaving the sink to report its own error.
template <class Sink>
bool stream(std::string_view text, Sink& sink, size_t* error_offset) {
  detail::Reader<Sink> reader(text, sink, SIZE_MAX);
  if (reader.run()) return true;
  if (error_offset != nullptr) *error_offset = reader.error_offset();
  return false;
}

}  // namespace promo::json
