// Tokenizer for rule text; see rule_lexer.hpp.
#include "core/rule_lexer.hpp"

#include "core/error.hpp"

namespace promo::rule {

std::string to_string(Position position) {
  return std::to_string(position.line) + ":" + std::to_string(position.column);
}

namespace {

bool is_identifier_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_identifier_char(char c) {
  return is_identifier_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Walks the text byte by byte while keeping the line:column of the current character.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ >= text_.size(); }
  char peek(size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  Position position() const { return position_; }
  size_t offset() const { return pos_; }
  std::string_view slice(size_t from) const { return text_.substr(from, pos_ - from); }

  // Consumes one byte; UTF-8 continuation bytes do not advance the column.
  void advance() {
    char c = text_[pos_++];
    if (c == '\n') {
      ++position_.line;
      position_.column = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++position_.column;
    }
  }

  // Consumes one whole UTF-8 character and returns its bytes (for error messages).
  std::string take_character() {
    size_t from = pos_;
    advance();
    while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
    return std::string(text_.substr(from, pos_ - from));
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  Position position_;
};

// Returns the two-character operator starting at the scanner, or kEnd when there is none.
TokenKind two_char_operator(char first, char second) {
  if (first == '<' && second == '=') return TokenKind::kLessEqual;
  if (first == '>' && second == '=') return TokenKind::kGreaterEqual;
  if (first == '<' && second == '>') return TokenKind::kNotEqual;
  if (first == '!' && second == '=') return TokenKind::kNotEqual;
  if (first == '=' && second == '>') return TokenKind::kArrow;
  return TokenKind::kEnd;
}

// Returns the one-character operator, or kEnd when `c` is none.
TokenKind one_char_operator(char c) {
  switch (c) {
    case '(':
      return TokenKind::kLeftParen;
    case ')':
      return TokenKind::kRightParen;
    case ',':
      return TokenKind::kComma;
    case '.':
      return TokenKind::kDot;
    case '+':
      return TokenKind::kPlus;
    case '-':
      return TokenKind::kMinus;
    case '*':
      return TokenKind::kStar;
    case '/':
      return TokenKind::kSlash;
    case '=':
      return TokenKind::kEqual;
    case '<':
      return TokenKind::kLess;
    case '>':
      return TokenKind::kGreater;
    default:
      return TokenKind::kEnd;
  }
}

}  // namespace

// Single pass over the text; whitespace (space, tab, CR, LF) separates tokens.
std::vector<Token> tokenize(std::string_view text) {
  if (text.size() > kMaxRuleBytes) {
    throw Error(sqlstate::kProgramLimitExceeded,
                "rule is too long: " + std::to_string(text.size()) + " bytes, at most " +
                    std::to_string(kMaxRuleBytes));
  }
  std::vector<Token> tokens;
  Scanner scanner(text);
  while (true) {
    while (!scanner.at_end() && (scanner.peek() == ' ' || scanner.peek() == '\t' ||
                                 scanner.peek() == '\n' || scanner.peek() == '\r')) {
      scanner.advance();
    }
    Token token;
    token.position = scanner.position();
    if (scanner.at_end()) {
      tokens.push_back(std::move(token));
      return tokens;
    }
    size_t start = scanner.offset();
    char c = scanner.peek();
    if (is_identifier_start(c)) {
      while (!scanner.at_end() && is_identifier_char(scanner.peek())) scanner.advance();
      token.kind = TokenKind::kIdentifier;
      token.text = scanner.slice(start);
    } else if (is_digit(c)) {
      while (is_digit(scanner.peek())) scanner.advance();
      if (scanner.peek() == '.' && is_digit(scanner.peek(1))) {
        scanner.advance();
        while (is_digit(scanner.peek())) scanner.advance();
      }
      token.kind = TokenKind::kNumber;
      token.text = scanner.slice(start);
    } else if (c == '\'') {
      scanner.advance();
      while (true) {
        if (scanner.at_end()) {
          throw Error(sqlstate::kSyntaxError,
                      "unterminated string at " + to_string(token.position));
        }
        if (scanner.peek() == '\'') {
          scanner.advance();
          if (scanner.peek() != '\'') break;
        }
        token.text.push_back(scanner.peek());
        scanner.advance();
      }
      token.kind = TokenKind::kString;
    } else if (TokenKind two = two_char_operator(c, scanner.peek(1)); two != TokenKind::kEnd) {
      scanner.advance();
      scanner.advance();
      token.kind = two;
      token.text = scanner.slice(start);
    } else if (TokenKind one = one_char_operator(c); one != TokenKind::kEnd) {
      scanner.advance();
      token.kind = one;
      token.text = scanner.slice(start);
    } else {
      std::string character = scanner.take_character();
      throw Error(sqlstate::kSyntaxError,
                  "unexpected character '" + character + "' at " + to_string(token.position));
    }
    tokens.push_back(std::move(token));
  }
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::kEnd:
      return "end of rule";
    case TokenKind::kString:
      return "a string";
    default:
      return "'" + token.text + "'";
  }
}

}  // namespace promo::rule
