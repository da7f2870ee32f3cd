// The rule language's lexer: turns rule text into tokens with 1-based line:column positions
// (columns count UTF-8 code points, so error positions match what an editor shows).
#pragma once
#include "core/cpp_only.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace promo::rule {

// Longest rule text accepted, in bytes; longer text is rejected with SQLSTATE 54000.
inline constexpr size_t kMaxRuleBytes = 64 * 1024;

struct Position {
  int line = 1;
  int column = 1;
};

// "1:17", as used at the end of every rule error message.
std::string to_string(Position position);

enum class TokenKind {
  kEnd,
  kIdentifier,  // names and keywords; keywords are recognised case-insensitively by the parser
  kNumber,      // digits with an optional fraction: 50, 50.00
  kString,      // single-quoted, '' is a quote; `text` holds the unescaped value
  kLeftParen,
  kRightParen,
  kComma,
  kDot,
  kArrow,  // =>
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kEqual,
  kNotEqual,  // <> or !=
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // source text, except kString: the unescaped value
  Position position;
};

// Splits `text` into tokens ending with one kEnd token. Throws promo::Error 42601 for an
// unterminated string or an unexpected character, 54000 when the text is too long.
std::vector<Token> tokenize(std::string_view text);

// How a token is named in "found ..." parts of syntax errors: "end of rule", "')'", "'sku'".
std::string describe(const Token& token);

}  // namespace promo::rule
