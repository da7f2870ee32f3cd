// Recursive-descent parser; see the grammar in rule_parser.hpp.
#include "core/rule_parser.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cctype>

namespace promo::rule {
namespace {

// Case-insensitive comparison of an identifier with a lower-case keyword.
bool is_keyword(const Token& token, std::string_view keyword) {
  if (token.kind != TokenKind::kIdentifier || token.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(token.text[i])) != keyword[i]) return false;
  }
  return true;
}

bool is_reserved(const Token& token) {
  return is_keyword(token, "and") || is_keyword(token, "or") || is_keyword(token, "not") ||
         is_keyword(token, "in") || is_keyword(token, "true") || is_keyword(token, "false");
}

// Throws the depth error naming where the limit was crossed.
[[noreturn]] void too_deep(Position position) {
  throw Error(sqlstate::kProgramLimitExceeded, "rule nests more than " + std::to_string(kMaxDepth) +
                                                   " levels deep at " + to_string(position));
}

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  // Parses the whole rule; anything after the expression is a syntax error.
  std::unique_ptr<Ast> parse_rule() {
    auto rule = parse_or();
    if (current().kind != TokenKind::kEnd) fail("end of rule");
    return rule;
  }

 private:
  const Token& current() const { return tokens_[index_]; }
  const Token& lookahead(size_t n) const {
    return tokens_[std::min(index_ + n, tokens_.size() - 1)];
  }
  void advance() {
    if (current().kind != TokenKind::kEnd) ++index_;
  }

  // "expected X at L:C, found Y" for the current token.
  [[noreturn]] void fail(std::string_view expected) const {
    throw Error(sqlstate::kSyntaxError, "expected " + std::string(expected) + " at " +
                                            to_string(current().position) + ", found " +
                                            describe(current()));
  }

  void expect(TokenKind kind, std::string_view expected) {
    if (current().kind != kind) fail(expected);
    advance();
  }

  // Guards recursion: every recursive entry point counts one level.
  struct DepthGuard {
    DepthGuard(int& depth, Position position) : depth_(depth) {
      if (++depth_ > kMaxDepth) too_deep(position);
    }
    ~DepthGuard() { --depth_; }
    int& depth_;
  };

  // Builds an operator node and checks the height of the tree it creates.
  static std::unique_ptr<Ast> make(Ast::Kind kind, Position position, std::string text,
                                   std::vector<std::unique_ptr<Ast>> children) {
    auto node = std::make_unique<Ast>();
    node->kind = kind;
    node->position = position;
    node->text = std::move(text);
    int height = 0;
    for (const auto& child : children) height = std::max(height, child->depth);
    node->depth = height + 1;
    if (node->depth > kMaxDepth) too_deep(position);
    node->children = std::move(children);
    return node;
  }

  static std::vector<std::unique_ptr<Ast>> pair(std::unique_ptr<Ast> a, std::unique_ptr<Ast> b) {
    std::vector<std::unique_ptr<Ast>> v;
    v.push_back(std::move(a));
    v.push_back(std::move(b));
    return v;
  }

  // or/and chains become one n-ary node, so long chains do not deepen the tree.
  std::unique_ptr<Ast> parse_or() {
    DepthGuard guard(depth_, current().position);
    auto first = parse_and();
    if (!is_keyword(current(), "or")) return first;
    Position position = current().position;
    std::vector<std::unique_ptr<Ast>> operands;
    operands.push_back(std::move(first));
    while (is_keyword(current(), "or")) {
      advance();
      operands.push_back(parse_and());
    }
    return make(Ast::Kind::kOr, position, "or", std::move(operands));
  }

  std::unique_ptr<Ast> parse_and() {
    auto first = parse_not();
    if (!is_keyword(current(), "and")) return first;
    Position position = current().position;
    std::vector<std::unique_ptr<Ast>> operands;
    operands.push_back(std::move(first));
    while (is_keyword(current(), "and")) {
      advance();
      operands.push_back(parse_not());
    }
    return make(Ast::Kind::kAnd, position, "and", std::move(operands));
  }

  std::unique_ptr<Ast> parse_not() {
    if (!is_keyword(current(), "not")) return parse_compare();
    Position position = current().position;
    DepthGuard guard(depth_, position);
    advance();
    std::vector<std::unique_ptr<Ast>> operand;
    operand.push_back(parse_not());
    return make(Ast::Kind::kNot, position, "not", std::move(operand));
  }

  static const char* comparison_text(TokenKind kind) {
    switch (kind) {
      case TokenKind::kEqual:
        return "=";
      case TokenKind::kNotEqual:
        return "<>";
      case TokenKind::kLess:
        return "<";
      case TokenKind::kLessEqual:
        return "<=";
      case TokenKind::kGreater:
        return ">";
      case TokenKind::kGreaterEqual:
        return ">=";
      default:
        return nullptr;
    }
  }

  std::unique_ptr<Ast> parse_compare() {
    auto left = parse_sum();
    if (const char* op = comparison_text(current().kind)) {
      Position position = current().position;
      advance();
      auto right = parse_sum();
      return make(Ast::Kind::kCompare, position, op, pair(std::move(left), std::move(right)));
    }
    bool negated = false;
    Position position = current().position;
    if (is_keyword(current(), "not") && is_keyword(lookahead(1), "in")) {
      negated = true;
      advance();
    }
    if (!is_keyword(current(), "in")) return left;
    advance();
    expect(TokenKind::kLeftParen, "'('");
    std::vector<std::unique_ptr<Ast>> operands;
    operands.push_back(std::move(left));
    while (true) {
      operands.push_back(parse_list_item());
      if (current().kind == TokenKind::kComma) {
        advance();
        continue;
      }
      expect(TokenKind::kRightParen, "')'");
      break;
    }
    auto node = make(Ast::Kind::kIn, position, negated ? "not in" : "in", std::move(operands));
    node->negated = negated;
    return node;
  }

  // `in` lists hold literals only (a number may carry a minus sign), so they can be pre-sorted.
  std::unique_ptr<Ast> parse_list_item() {
    const Token& token = current();
    bool literal = token.kind == TokenKind::kNumber || token.kind == TokenKind::kString ||
                   is_keyword(token, "true") || is_keyword(token, "false") ||
                   (token.kind == TokenKind::kMinus && lookahead(1).kind == TokenKind::kNumber);
    if (!literal) fail("a literal");
    if (token.kind != TokenKind::kMinus) return parse_primary();
    Position position = token.position;
    advance();
    std::vector<std::unique_ptr<Ast>> operand;
    operand.push_back(parse_primary());
    return make(Ast::Kind::kNegate, position, "-", std::move(operand));
  }

  std::unique_ptr<Ast> parse_sum() {
    auto left = parse_product();
    while (current().kind == TokenKind::kPlus || current().kind == TokenKind::kMinus) {
      Position position = current().position;
      std::string op = current().text;
      advance();
      auto right = parse_product();
      left = make(Ast::Kind::kArith, position, op, pair(std::move(left), std::move(right)));
    }
    return left;
  }

  std::unique_ptr<Ast> parse_product() {
    auto left = parse_unary();
    while (current().kind == TokenKind::kStar || current().kind == TokenKind::kSlash) {
      Position position = current().position;
      std::string op = current().text;
      advance();
      auto right = parse_unary();
      left = make(Ast::Kind::kArith, position, op, pair(std::move(left), std::move(right)));
    }
    return left;
  }

  std::unique_ptr<Ast> parse_unary() {
    if (current().kind != TokenKind::kMinus) return parse_primary();
    Position position = current().position;
    DepthGuard guard(depth_, position);
    advance();
    std::vector<std::unique_ptr<Ast>> operand;
    operand.push_back(parse_unary());
    return make(Ast::Kind::kNegate, position, "-", std::move(operand));
  }

  // A leaf node at the current token.
  std::unique_ptr<Ast> leaf(Ast::Kind kind) {
    auto node = std::make_unique<Ast>();
    node->kind = kind;
    node->position = current().position;
    node->text = current().text;
    return node;
  }

  std::unique_ptr<Ast> parse_primary() {
    const Token& token = current();
    if (token.kind == TokenKind::kNumber) {
      auto node = leaf(Ast::Kind::kNumber);
      // The lexer only produces digits[.digits]; leading zeros are not JSON syntax, so drop
      // them before Decimal::parse.
      std::string_view digits = token.text;
      size_t nonzero = digits.find_first_not_of('0');
      if (nonzero == std::string_view::npos || digits[nonzero] == '.') {
        nonzero = nonzero == std::string_view::npos ? digits.size() - 1 : nonzero - 1;
      }
      auto number = Decimal::parse(digits.substr(nonzero));
      if (!number) {
        throw Error(sqlstate::kNumericOutOfRange,
                    "number " + token.text + " is out of range at " + to_string(token.position));
      }
      node->number = *number;
      advance();
      return node;
    }
    if (token.kind == TokenKind::kString) {
      auto node = leaf(Ast::Kind::kString);
      advance();
      return node;
    }
    if (is_keyword(token, "true") || is_keyword(token, "false")) {
      auto node = leaf(Ast::Kind::kBool);
      node->boolean = is_keyword(token, "true");
      advance();
      return node;
    }
    if (token.kind == TokenKind::kLeftParen) {
      advance();
      auto inner = parse_or();
      expect(TokenKind::kRightParen, "')'");
      return inner;
    }
    if (token.kind == TokenKind::kIdentifier && !is_reserved(token)) return parse_name();
    fail("an expression");
  }

  // A dotted name, and when '(' follows, a call with positional and named arguments.
  std::unique_ptr<Ast> parse_name() {
    auto node = leaf(Ast::Kind::kName);
    advance();
    while (current().kind == TokenKind::kDot) {
      advance();
      if (current().kind != TokenKind::kIdentifier) fail("a name");
      node->text += "." + current().text;
      advance();
    }
    if (current().kind != TokenKind::kLeftParen) return node;
    DepthGuard guard(depth_, current().position);
    node->kind = Ast::Kind::kCall;
    advance();
    if (current().kind == TokenKind::kRightParen) {
      advance();
      return node;
    }
    while (true) {
      std::string name;
      Position name_position = current().position;
      if (current().kind == TokenKind::kIdentifier && lookahead(1).kind == TokenKind::kArrow) {
        name = current().text;
        advance();
        advance();
      }
      auto argument = parse_or();
      node->depth = std::max(node->depth, argument->depth + 1);
      if (node->depth > kMaxDepth) too_deep(name_position);
      node->children.push_back(std::move(argument));
      node->arg_names.push_back(std::move(name));
      node->arg_name_positions.push_back(name_position);
      if (current().kind == TokenKind::kComma) {
        advance();
        continue;
      }
      expect(TokenKind::kRightParen, "')'");
      return node;
    }
  }

  std::vector<Token> tokens_;
  size_t index_ = 0;
  int depth_ = 0;
};

}  // namespace

std::unique_ptr<Ast> parse(std::string_view text) {
  return Parser(tokenize(text)).parse_rule();
}

}  // namespace promo::rule
