// The parse tree of a rule: what the text says, before names and types are resolved. The checker
// (rule_checker) turns it into the compiled form (rule_ir.hpp).
#pragma once
#include "core/cpp_only.hpp"
#include "core/decimal.hpp"
#include "core/rule_lexer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace promo::rule {

// Maximum nesting depth of a rule (parentheses, operators, calls); deeper rules are rejected
// with SQLSTATE 54000 so that no recursive pass can exhaust the stack.
inline constexpr int kMaxDepth = 200;

struct Ast {
  enum class Kind {
    kOr,       // children: 2 or more
    kAnd,      // children: 2 or more
    kNot,      // children: 1
    kCompare,  // text: = <> < <= > >= ; children: 2
    kIn,       // negated for `not in`; children[0] the value, the rest the list
    kArith,    // text: + - * / ; children: 2
    kNegate,   // unary minus; children: 1
    kNumber,   // text: as written; number: its value
    kString,   // text: the unescaped value
    kBool,     // boolean
    kName,     // text: dotted path as written, e.g. "attributes.color"
    kCall,     // text: function name; children: arguments; arg_names: "" for positional
  };
  Kind kind;
  Position position;  // of the operator, literal, name or function name
  std::string text;
  Decimal number;
  bool boolean = false;
  bool negated = false;
  std::vector<std::unique_ptr<Ast>> children;
  std::vector<std::string> arg_names;
  std::vector<Position> arg_name_positions;
  int depth = 1;  // height of this subtree
};

}  // namespace promo::rule
