// Recursive-descent parser for the rule language: text -> parse tree (rule_ast.hpp).
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule_ast.hpp"

#include <memory>
#include <string_view>

namespace promo::rule {

// Grammar, loosest binding first (keywords are case-insensitive):
//   or_expr  := and_expr { OR and_expr }
//   and_expr := not_expr { AND not_expr }
//   not_expr := NOT not_expr | compare
//   compare  := sum [ (= | <> | != | < | <= | > | >=) sum | [NOT] IN '(' literal {, literal} ')' ]
//   literal  := ['-'] number | string | TRUE | FALSE
//   sum      := product { (+ | -) product }
//   product  := unary { (* | /) unary }
//   unary    := '-' unary | primary
//   primary  := number | string | TRUE | FALSE | '(' or_expr ')'
//             | name { '.' name } [ '(' [ arg { ',' arg } ] ')' ]
//   arg      := name '=>' or_expr | or_expr
// Throws promo::Error 42601 with the position on a syntax error and 54000 when the rule is
// longer than kMaxRuleBytes or nests deeper than kMaxDepth.
std::unique_ptr<Ast> parse(std::string_view text);

}  // namespace promo::rule
