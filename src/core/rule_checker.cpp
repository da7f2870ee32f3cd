// Name resolution and type checking; see rule_checker.hpp.
//
// Number literals are untyped until they meet a typed operand: next to money they are money in
// major units (50 -> 5000 for USD; more decimals than the currency has is an error), next to an
// integer they must be integral, next to an attribute they stay exact decimals. An expression
// made only of literals (`1 + 2`) takes its type the same way; with no typed operand at all it
// is an integer.
#include "core/rule_checker.hpp"

#include "core/error.hpp"
#include "core/rule_interval.hpp"
#include "core/rule_names.hpp"
#include "core/rule_time.hpp"

#include <algorithm>

namespace promo::rule {

const char* type_name(Type type) {
  switch (type) {
    case Type::kBool:
      return "boolean";
    case Type::kInteger:
      return "integer";
    case Type::kMoney:
      return "money";
    case Type::kString:
      return "string";
    case Type::kAttribute:
      return "attribute";
    case Type::kNumber:
      return "number";
    case Type::kTime:
      return "time";
    case Type::kInterval:
      return "interval";
  }
  return "?";
}

const char* cmp_text(Cmp cmp) {
  switch (cmp) {
    case Cmp::kEq:
      return "=";
    case Cmp::kNe:
      return "<>";
    case Cmp::kLt:
      return "<";
    case Cmp::kLe:
      return "<=";
    case Cmp::kGt:
      return ">";
    case Cmp::kGe:
      return ">=";
  }
  return "?";
}

namespace {

constexpr const char* kDivisionByZero = "22012";
constexpr const char* kUndefinedObject = "42704";

// The leftmost position of an expression: where a reader sees it start.
Position start_of(const Ast& ast) {
  switch (ast.kind) {
    case Ast::Kind::kOr:
    case Ast::Kind::kAnd:
    case Ast::Kind::kCompare:
    case Ast::Kind::kIn:
    case Ast::Kind::kArith:
      return start_of(*ast.children[0]);
    default:
      return ast.position;
  }
}

std::string at(Position position) {
  return " at " + to_string(position);
}

// True when every literal in an untyped subtree is integral (so it can become an integer).
bool all_integral(const Ast& ast) {
  if (ast.kind == Ast::Kind::kNumber) return ast.number.is_integer();
  return std::all_of(ast.children.begin(), ast.children.end(),
                     [](const auto& child) { return all_integral(*child); });
}

// A number literal under any number of minus signs, folded to one exact decimal.
std::optional<Decimal> signed_literal(const Ast& ast) {
  if (ast.kind == Ast::Kind::kNumber) return ast.number;
  if (ast.kind != Ast::Kind::kNegate) return std::nullopt;
  auto inner = signed_literal(*ast.children[0]);
  if (!inner) return std::nullopt;
  return Decimal{-inner->mantissa, inner->scale};  // |mantissa| <= INT64_MAX: no overflow
}

Cmp cmp_from_text(const std::string& text) {
  if (text == "=") return Cmp::kEq;
  if (text == "<>") return Cmp::kNe;
  if (text == "<") return Cmp::kLt;
  if (text == "<=") return Cmp::kLe;
  if (text == ">") return Cmp::kGt;
  return Cmp::kGe;
}

// A node with its opcode, type and constness set; operands are filled in by the caller.
Node make_node(Op op, Type type, bool constant) {
  Node n;
  n.op = op;
  n.type = type;
  n.constant = constant;
  return n;
}

class Checker {
 public:
  Checker(Context context, const Environment& environment) : environment_(environment) {
    ir_.context = context;
    if (environment.currency) ir_.currency = *environment.currency;
  }

  Ir run(const Ast& ast) {
    Level level = ir_.context == Context::kItemCondition ? Level::kItem : Level::kCart;
    Typed root = check(ast, level);
    if (ir_.context == Context::kCount) {
      if (root.untyped) root = {Type::kInteger, build_untyped(ast, Type::kInteger), false};
      if (root.type != Type::kInteger) {
        throw Error(sqlstate::kDatatypeMismatch, std::string("max_units must be an integer ") +
                                                     "expression, got " + type_name(root.type) +
                                                     at(start_of(ast)));
      }
    } else if (root.untyped || root.type != Type::kBool) {
      const char* what = ir_.context == Context::kCondition ? "a condition"
                         : ir_.context == Context::kSegment ? "a segment definition"
                                                            : "an item condition";
      throw Error(sqlstate::kDatatypeMismatch,
                  std::string(what) + " must be a boolean expression, got " +
                      (root.untyped ? "number" : type_name(root.type)) + at(start_of(ast)));
    }
    ir_.root = root.node;
    return std::move(ir_);
  }

 private:
  // A checked expression: its type and node, or `untyped` (a number-literal expression whose
  // node is built later, once its type is known).
  struct Typed {
    Type type = Type::kInteger;
    int node = -1;
    bool untyped = false;
  };

  int add(Node node) {
    ir_.nodes.push_back(std::move(node));
    return static_cast<int>(ir_.nodes.size()) - 1;
  }
  const Node& node(int index) const { return ir_.nodes[static_cast<size_t>(index)]; }

  static std::string describe_type(const Typed& typed) {
    return typed.untyped ? "number" : type_name(typed.type);
  }

  Typed check(const Ast& ast, Level level) {
    switch (ast.kind) {
      case Ast::Kind::kNumber:
        return Typed{Type::kInteger, -1, true};
      case Ast::Kind::kString: {
        Node n = make_node(Op::kStringConst, Type::kString, true);
        n.text = ast.text;
        n.position = ast.position;
        return Typed{Type::kString, add(std::move(n))};
      }
      case Ast::Kind::kBool: {
        Node n = make_node(Op::kBoolConst, Type::kBool, true);
        n.value = ast.boolean ? 1 : 0;
        n.position = ast.position;
        return Typed{Type::kBool, add(std::move(n))};
      }
      case Ast::Kind::kName:
        return check_name(ast, level);
      case Ast::Kind::kCall:
        return check_call(ast, level);
      case Ast::Kind::kNot: {
        int operand = require_bool(*ast.children[0], level, "not needs a boolean operand");
        Node n = make_node(Op::kNot, Type::kBool, node(operand).constant);
        n.a = operand;
        n.position = ast.position;
        return Typed{Type::kBool, add(std::move(n))};
      }
      case Ast::Kind::kAnd:
      case Ast::Kind::kOr:
        return check_logic(ast, level);
      case Ast::Kind::kCompare:
        return check_compare(ast, level);
      case Ast::Kind::kIn:
        return check_in(ast, level);
      case Ast::Kind::kArith:
        return check_arith(ast, level);
      case Ast::Kind::kNegate: {
        Typed operand = check(*ast.children[0], level);
        if (operand.untyped) return operand;
        if (operand.type != Type::kInteger && operand.type != Type::kMoney) {
          throw Error(sqlstate::kDatatypeMismatch, std::string("operator - is not defined for ") +
                                                       type_name(operand.type) + at(ast.position));
        }
        return Typed{operand.type, make_unary(Op::kNeg, operand.type, operand.node, ast.position)};
      }
    }
    throw Error(sqlstate::kInternalError, "unhandled rule syntax");
  }

  int make_unary(Op op, Type type, int operand, Position position) {
    Node n = make_node(op, type, node(operand).constant);
    n.a = operand;
    n.position = position;
    return add(std::move(n));
  }

  int make_binary(Op op, Type type, int left, int right, Position position) {
    Node n = make_node(op, type, node(left).constant && node(right).constant);
    n.a = left;
    n.b = right;
    n.position = position;
    return add(std::move(n));
  }

  // Checks an operand of and/or/not/has(): it must be boolean.
  int require_bool(const Ast& ast, Level level, const std::string& what) {
    Typed typed = check(ast, level);
    if (typed.untyped || typed.type != Type::kBool) {
      throw Error(sqlstate::kDatatypeMismatch,
                  what + ", got " + describe_type(typed) + at(start_of(ast)));
    }
    return typed.node;
  }

  // and/or: n-ary, with nested chains of the same operator spliced in (both are associative).
  Typed check_logic(const Ast& ast, Level level) {
    bool is_and = ast.kind == Ast::Kind::kAnd;
    Node n = make_node(is_and ? Op::kAnd : Op::kOr, Type::kBool, true);
    n.position = ast.position;
    std::string what = std::string(is_and ? "and" : "or") + " needs boolean operands";
    for (const auto& child : ast.children) {
      int operand = require_bool(*child, level, what);
      const Node& built = node(operand);
      n.constant = n.constant && built.constant;
      if (built.op == n.op) {
        n.list.insert(n.list.end(), built.list.begin(), built.list.end());
      } else {
        n.list.push_back(operand);
      }
    }
    return Typed{Type::kBool, add(std::move(n))};
  }

  // Builds an untyped (literals-only) expression as `target`.
  int build_untyped(const Ast& ast, Type target) {
    if (target == Type::kNumber) {
      if (auto literal = signed_literal(ast)) {
        Node n = make_node(Op::kNumberConst, Type::kNumber, true);
        n.number = *literal;
        n.position = ast.position;
        return add(std::move(n));
      }
      target = Type::kInteger;  // arithmetic on literals next to an attribute: integer
    }
    switch (ast.kind) {
      case Ast::Kind::kNumber:
        return build_literal(ast, target);
      case Ast::Kind::kNegate:
        return make_unary(Op::kNeg, target, build_untyped(*ast.children[0], target), ast.position);
      case Ast::Kind::kArith: {
        const Ast& left = *ast.children[0];
        const Ast& right = *ast.children[1];
        Type left_type = target;
        Type right_type = target;
        if (target == Type::kMoney && ast.text == "/") {
          right_type = Type::kInteger;
        } else if (target == Type::kMoney && ast.text == "*") {
          // money * integer, or integer * money when only the left side is integral.
          if (all_integral(right)) {
            right_type = Type::kInteger;
          } else {
            left_type = Type::kInteger;
          }
        }
        int l = build_untyped(left, left_type);
        int r = build_untyped(right, right_type);
        return make_arith(ast, target, l, r);
      }
      default:
        throw Error(sqlstate::kInternalError, "unexpected untyped rule expression");
    }
  }

  // A number literal as an integer or as money in minor units of the currency.
  int build_literal(const Ast& ast, Type target) {
    Node n = make_node(target == Type::kMoney ? Op::kMoneyConst : Op::kIntConst, target, true);
    n.position = ast.position;
    if (target == Type::kMoney) {
      if (environment_.currency == nullptr) {
        throw Error(
            sqlstate::kDatatypeMismatch,
            "money has no currency here; a segment definition cannot use money" + at(ast.position));
      }
      if (ast.number.scale > ir_.currency.exponent) {
        throw Error(sqlstate::kDatatypeMismatch,
                    "money literal " + ast.text + " has more decimals than " +
                        std::string(ir_.currency.code) + " allows" + at(ast.position));
      }
      auto minor = ast.number.scaled_to(ir_.currency.exponent);
      if (!minor) {
        throw Error(sqlstate::kNumericOutOfRange,
                    "money literal " + ast.text + " is out of range" + at(ast.position));
      }
      n.value = *minor;
    } else {
      auto integer = ast.number.to_int64();
      if (!integer) {
        throw Error(sqlstate::kDatatypeMismatch,
                    "expected an integer, got " + ast.text + at(ast.position));
      }
      n.value = *integer;
    }
    return add(std::move(n));
  }

  // Builds + - * / after the operand types are settled; rejects a literal zero divisor.
  int make_arith(const Ast& ast, Type type, int left, int right) {
    Op op = Op::kAdd;
    if (ast.text == "-") op = Op::kSub;
    if (ast.text == "*") op = Op::kMul;
    if (ast.text == "/") {
      op = Op::kDiv;
      auto divisor = signed_literal(*ast.children[1]);
      if (divisor && divisor->mantissa == 0) {
        throw Error(kDivisionByZero, "division by zero" + at(ast.position));
      }
    }
    return make_binary(op, type, left, right, ast.position);
  }

  // Settles an operand: untyped ones are built as `target`.
  int settle(const Typed& typed, const Ast& ast, Type target) {
    return typed.untyped ? build_untyped(ast, target) : typed.node;
  }

  Typed check_arith(const Ast& ast, Level level) {
    const Ast& left_ast = *ast.children[0];
    const Ast& right_ast = *ast.children[1];
    Typed left = check(left_ast, level);
    Typed right = check(right_ast, level);
    if ((!left.untyped && left.type == Type::kTime) ||
        (!right.untyped && right.type == Type::kTime)) {
      return check_time_arith(ast, left, right);
    }
    auto numeric = [](const Typed& t) {
      return t.untyped || t.type == Type::kInteger || t.type == Type::kMoney;
    };
    auto undefined = [&]() {
      return Error(sqlstate::kDatatypeMismatch, "operator " + ast.text + " is not defined for " +
                                                    describe_type(left) + " and " +
                                                    describe_type(right) + at(ast.position));
    };
    if (!numeric(left) || !numeric(right)) throw undefined();
    if (left.untyped && right.untyped) return Typed{Type::kInteger, -1, true};
    const std::string& op = ast.text;
    Type result;
    Type left_as;
    Type right_as;
    if (op == "+" || op == "-") {
      Type t = left.untyped ? right.type : left.type;
      if (!left.untyped && !right.untyped && left.type != right.type) throw undefined();
      result = left_as = right_as = t;
    } else if (op == "*") {
      if (!left.untyped && !right.untyped && left.type == Type::kMoney &&
          right.type == Type::kMoney) {
        throw undefined();
      }
      bool money = (!left.untyped && left.type == Type::kMoney) ||
                   (!right.untyped && right.type == Type::kMoney);
      result = money ? Type::kMoney : Type::kInteger;
      left_as = left.untyped ? Type::kInteger : left.type;
      right_as = right.untyped ? Type::kInteger : right.type;
    } else {
      if (!right.untyped && right.type == Type::kMoney) throw undefined();
      result = left.untyped ? Type::kInteger : left.type;
      left_as = result;
      right_as = Type::kInteger;
    }
    int l = settle(left, left_ast, left_as);
    int r = settle(right, right_ast, right_as);
    return Typed{result, make_arith(ast, result, l, r)};
  }

  // Decides how two operand types compare, settling untyped ones; throws when they cannot.
  Typed check_compare(const Ast& ast, Level level) {
    const Ast& left_ast = *ast.children[0];
    const Ast& right_ast = *ast.children[1];
    Typed left = check(left_ast, level);
    Typed right = check(right_ast, level);
    Cmp cmp = cmp_from_text(ast.text);
    auto mismatch = [&]() {
      return Error(sqlstate::kDatatypeMismatch, "cannot compare " + describe_type(left) + " with " +
                                                    describe_type(right) + at(ast.position));
    };
    CompareAs how = CompareAs::kInteger;
    int l;
    int r;
    if (left.untyped && right.untyped) {
      l = build_untyped(left_ast, Type::kInteger);
      r = build_untyped(right_ast, Type::kInteger);
    } else if (left.untyped || right.untyped) {
      Type other = left.untyped ? right.type : left.type;
      Type as = other;
      if (other == Type::kAttribute) {
        as = Type::kNumber;
        how = CompareAs::kDynamic;
      } else if (other != Type::kInteger && other != Type::kMoney) {
        throw mismatch();
      }
      l = settle(left, left_ast, as);
      r = settle(right, right_ast, as);
    } else {
      l = left.node;
      r = right.node;
      how = compare_kind(left.type, right.type, mismatch);
      if (how == CompareAs::kTime && is_clock(ir_, l) && is_clock(ir_, r)) {
        // A clock (now() or start_of_*(), shifted by constants) is monotone in now(); one
        // clock against a value that only changes with the history changes at finitely many
        // instants, but two clocks against each other (`now() >= start_of_day() + '12 hours'`)
        // can change every day forever, so membership would have no finite list of intervals.
        throw Error(sqlstate::kDatatypeMismatch,
                    "comparing two expressions that both depend on now() is not supported" +
                        at(start_of(ast)));
      }
    }
    if (how == CompareAs::kBool && cmp != Cmp::kEq && cmp != Cmp::kNe) {
      throw Error(sqlstate::kDatatypeMismatch,
                  "operator " + ast.text + " is not defined for boolean" + at(ast.position));
    }
    int index = make_binary(Op::kCompare, Type::kBool, l, r, ast.position);
    ir_.nodes[static_cast<size_t>(index)].cmp = cmp;
    ir_.nodes[static_cast<size_t>(index)].compare_as = how;
    return Typed{Type::kBool, index};
  }

  template <typename MakeError>
  static CompareAs compare_kind(Type left, Type right, MakeError mismatch) {
    if (left == Type::kAttribute || right == Type::kAttribute) {
      Type other = left == Type::kAttribute ? right : left;
      if (other == Type::kMoney || other == Type::kTime) throw mismatch();
      return CompareAs::kDynamic;
    }
    if (left != right) throw mismatch();
    switch (left) {
      case Type::kString:
        return CompareAs::kString;
      case Type::kBool:
        return CompareAs::kBool;
      case Type::kTime:
        return CompareAs::kTime;
      default:
        return CompareAs::kInteger;
    }
  }

  // x [not] in (literals): the literals are checked against x's type and pre-sorted.
  Typed check_in(const Ast& ast, Level level) {
    const Ast& value_ast = *ast.children[0];
    Typed value = check(value_ast, level);
    if (value.untyped) value = Typed{Type::kInteger, build_untyped(value_ast, Type::kInteger)};
    Node n = make_node(Op::kIn, Type::kBool, false);
    n.negated = ast.negated;
    n.a = value.node;
    n.constant = node(value.node).constant;
    n.position = ast.position;
    for (size_t i = 1; i < ast.children.size(); ++i) {
      const Ast& item = *ast.children[i];
      Type item_type = item.kind == Ast::Kind::kString ? Type::kString
                       : item.kind == Ast::Kind::kBool ? Type::kBool
                                                       : Type::kNumber;
      int built = -1;
      if (value.type == Type::kAttribute) {
        built = item_type == Type::kNumber ? build_untyped(item, Type::kNumber)
                                           : check(item, level).node;
      } else if (item_type == Type::kNumber &&
                 (value.type == Type::kInteger || value.type == Type::kMoney)) {
        built = build_untyped(item, value.type);
      } else if (item_type == value.type) {
        built = check(item, level).node;
      } else {
        throw Error(sqlstate::kDatatypeMismatch, "cannot compare " +
                                                     std::string(type_name(value.type)) + " with " +
                                                     type_name(item_type) + at(start_of(item)));
      }
      n.list.push_back(built);
    }
    fill_sets(n, value.type);
    return Typed{Type::kBool, add(std::move(n))};
  }

  // Evaluates the list's literals into sorted sets for binary search at run time.
  void fill_sets(Node& n, Type value_type) {
    for (int item : n.list) {
      const Node& literal = node(item);
      switch (literal.op) {
        case Op::kStringConst:
          n.string_set.push_back(literal.text);
          break;
        case Op::kBoolConst:
          (literal.value ? n.set_has_true : n.set_has_false) = true;
          break;
        case Op::kNumberConst:
          n.number_set.push_back(literal.number);
          break;
        default:
          n.int_set.push_back(constant_integer(item));
          break;
      }
    }
    (void)value_type;
    std::sort(n.string_set.begin(), n.string_set.end());
    std::sort(n.int_set.begin(), n.int_set.end());
    std::sort(n.number_set.begin(), n.number_set.end(),
              [](const Decimal& x, const Decimal& y) { return compare(x, y) < 0; });
  }

  // Value of an integer or money literal, possibly under minus signs.
  int64_t constant_integer(int index) const {
    const Node& n = node(index);
    if (n.op == Op::kNeg) {
      int64_t inner = constant_integer(n.a);
      return inner == INT64_MIN ? INT64_MAX : -inner;
    }
    return n.value;
  }

  [[noreturn]] static void unknown(const char* sqlstate, std::string what, const std::string& name,
                                   Position position) {
    std::string hint;
    if (auto closest = closest_name(name)) hint = "did you mean '" + *closest + "'?";
    throw Error(sqlstate, "unknown " + what + " '" + name + "'" + at(position), "", hint);
  }

  // True when `head` is spelled `word` in any case, and is not a closer match for another name.
  static bool is_prefix_word(std::string_view head, std::string_view word) {
    return head.size() == word.size() && find_field_anywhere(head) == nullptr &&
           std::equal(head.begin(), head.end(), word.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == y;
           });
  }
  static bool is_attributes(std::string_view head) { return is_prefix_word(head, "attributes"); }
  static bool is_customer(std::string_view head) { return is_prefix_word(head, "customer"); }

  // Customer names (segments, history, customer fields, time) exist in conditions and segment
  // definitions, never per item and never in max_units.
  bool customer_names_allowed(Level level) const {
    return level != Level::kItem &&
           (ir_.context == Context::kCondition || ir_.context == Context::kSegment);
  }

  // "... it cannot be used in an item condition" / "in max_units".
  [[noreturn]] void customer_name_not_allowed(const std::string& what, Level level,
                                              Position position) const {
    const char* where = level == Level::kItem ? "an item condition" : "max_units";
    throw Error(level == Level::kItem ? sqlstate::kUndefinedColumn : sqlstate::kUndefinedFunction,
                what + " reads customer data; it cannot be used in " + where + at(position));
  }

  // Segment definitions have no cart.
  [[noreturn]] static void not_in_segment_definition(const std::string& name, const char* kind,
                                                     Position position) {
    throw Error(
        sqlstate::kUndefinedColumn,
        name + " is " + kind + "; it cannot be used in a segment definition" + at(position));
  }

  Typed check_name(const Ast& ast, Level level) {
    const std::string& name = ast.text;
    size_t dot = name.find('.');
    std::string head = name.substr(0, dot);
    if (is_attributes(head) || is_customer(head)) {
      bool customer = is_customer(head);
      if (dot == std::string::npos) {
        throw Error(sqlstate::kUndefinedColumn,
                    customer ? "customer must be followed by a key, as in customer.country," +
                                   at(ast.position)
                             : "attributes must be followed by a key, as in attributes.color," +
                                   at(ast.position));
      }
      std::string key = name.substr(dot + 1);
      if (key.find('.') != std::string::npos) {
        unknown(sqlstate::kUndefinedColumn, "field", name, ast.position);
      }
      if (customer) {
        if (!customer_names_allowed(level)) customer_name_not_allowed(name, level, ast.position);
        Node n = make_node(Op::kCustomerAttribute, Type::kAttribute, false);
        n.text = key;
        n.position = ast.position;
        return Typed{Type::kAttribute, add(std::move(n))};
      }
      if (level == Level::kCart) {
        if (ir_.context == Context::kSegment) {
          not_in_segment_definition(name, "an item field", ast.position);
        }
        item_field_at_cart_level(name, ast.position);
      }
      Node n = make_node(Op::kAttribute, Type::kAttribute, false);
      n.text = key;
      n.position = ast.position;
      return Typed{Type::kAttribute, add(std::move(n))};
    }
    if (dot != std::string::npos) unknown(sqlstate::kUndefinedColumn, "field", name, ast.position);
    if (const FieldSpec* field = find_field(name, level)) {
      if (ir_.context == Context::kSegment) {
        not_in_segment_definition(std::string(field->name), "a cart field", ast.position);
      }
      Node n = make_node(field->op, field->type, false);
      n.position = ast.position;
      return Typed{field->type, add(std::move(n))};
    }
    if (const FieldSpec* field = find_field(name, Level::kCustomer)) {
      if (!customer_names_allowed(level)) {
        customer_name_not_allowed(std::string(field->name), level, ast.position);
      }
      Node n = make_node(field->op, field->type, false);
      n.position = ast.position;
      return Typed{field->type, add(std::move(n))};
    }
    if (const FieldSpec* field = find_field_anywhere(name)) {
      if (field->level == Level::kItem) {
        if (ir_.context == Context::kSegment) {
          not_in_segment_definition(std::string(field->name), "an item field", ast.position);
        }
        item_field_at_cart_level(name, ast.position);
      }
      throw Error(sqlstate::kUndefinedColumn, std::string(field->name) +
                                                  " is a cart field; it cannot be used in an "
                                                  "item condition" +
                                                  at(ast.position));
    }
    if (const FunctionSpec* function = find_function(name)) {
      throw Error(sqlstate::kUndefinedFunction,
                  std::string(function->name) + " is a function; call it as " +
                      std::string(function->name) + "(...)" + at(ast.position));
    }
    // Cart-level vocabulary is mostly functions, item-level vocabulary is fields.
    if (level == Level::kCart)
      unknown(sqlstate::kUndefinedFunction, "function", name, ast.position);
    unknown(sqlstate::kUndefinedColumn, "field", name, ast.position);
  }

  [[noreturn]] static void item_field_at_cart_level(const std::string& name, Position position) {
    throw Error(sqlstate::kUndefinedColumn,
                name + " is an item field; use it inside has(...), quantity(...) or amount(...)" +
                    at(position));
  }

  Typed check_call(const Ast& ast, Level level) {
    const std::string& name = ast.text;
    const FunctionSpec* function = find_function(name);
    if (!function) {
      if (find_field_anywhere(name) || is_attributes(name) || is_customer(name)) {
        throw Error(sqlstate::kUndefinedFunction,
                    name + " is a field, not a function" + at(ast.position));
      }
      unknown(sqlstate::kUndefinedFunction, "function", name, ast.position);
    }
    std::string fname(function->name);
    if (function->level == Level::kCart && level == Level::kItem) {
      throw Error(
          sqlstate::kUndefinedFunction,
          fname + " is a cart function; it cannot be used in an item condition" + at(ast.position));
    }
    if (function->level == Level::kCart && ir_.context == Context::kSegment) {
      throw Error(sqlstate::kUndefinedFunction,
                  fname + " is a cart function; it cannot be used in a segment definition" +
                      at(ast.position));
    }
    if (function->level == Level::kCustomer) {
      if (!customer_names_allowed(level)) customer_name_not_allowed(fname, level, ast.position);
      return check_customer_call(ast, *function);
    }
    reject_named_arguments(ast, fname, 0);
    if (ast.children.size() != 1) {
      throw Error(sqlstate::kUndefinedFunction, fname + "() takes 1 argument, got " +
                                                    std::to_string(ast.children.size()) +
                                                    at(ast.position));
    }
    int argument = require_bool(*ast.children[0], Level::kItem,
                                fname + "() needs an item condition (a boolean)");
    Node n = make_node(function->op, function->result, false);
    n.a = argument;
    n.position = ast.position;
    return Typed{function->result, add(std::move(n))};
  }

  // Named arguments from index `from` on are errors naming the argument.
  static void reject_named_arguments(const Ast& ast, const std::string& fname, size_t from) {
    for (size_t i = from; i < ast.arg_names.size(); ++i) {
      if (!ast.arg_names[i].empty()) {
        throw Error(sqlstate::kUndefinedFunction, "unknown argument '" + ast.arg_names[i] +
                                                      "' for " + fname + "()" +
                                                      at(ast.arg_name_positions[i]));
      }
    }
  }

  // in_segment('name'), count('type' [, since => t | within => 'd']), last('type'), now(),
  // start_of_day/week/month(). Names and types are string literals so that what a rule reads
  // (Dependencies) is known without evaluating it.
  Typed check_customer_call(const Ast& ast, const FunctionSpec& function) {
    std::string fname(function.name);
    Node n = make_node(function.op, function.result, false);
    n.position = ast.position;
    switch (function.param) {
      case ParamKind::kNone:
        reject_named_arguments(ast, fname, 0);
        if (!ast.children.empty()) {
          throw Error(sqlstate::kUndefinedFunction, fname + "() takes no arguments, got " +
                                                        std::to_string(ast.children.size()) +
                                                        at(ast.position));
        }
        break;
      case ParamKind::kSegmentName: {
        const Ast& literal =
            string_literal_argument(ast, fname, "a segment name", "abandoned-cart");
        reject_named_arguments(ast, fname, 0);
        if (ast.children.size() != 1) {
          throw Error(sqlstate::kUndefinedFunction, fname + "() takes 1 argument, got " +
                                                        std::to_string(ast.children.size()) +
                                                        at(ast.position));
        }
        std::optional<uint32_t> id;
        if (environment_.resolve_segment) id = environment_.resolve_segment(literal.text);
        if (!id) {
          throw Error(kUndefinedObject,
                      "unknown segment '" + literal.text + "'" + at(literal.position));
        }
        n.text = literal.text;
        n.value = *id;
        break;
      }
      case ParamKind::kEventType: {
        const Ast& literal = string_literal_argument(ast, fname, "an event type", "order_placed");
        n.text = literal.text;
        if (function.op == Op::kCount) {
          check_count_window(ast, n);
        } else {
          reject_named_arguments(ast, fname, 0);
        }
        if (function.op != Op::kCount && ast.children.size() != 1) {
          throw Error(sqlstate::kUndefinedFunction, fname + "() takes 1 argument, got " +
                                                        std::to_string(ast.children.size()) +
                                                        at(ast.position));
        }
        break;
      }
      case ParamKind::kItemCondition:
        break;
    }
    return Typed{function.result, add(std::move(n))};
  }

  // The first argument of `fname`, which must be a positional string literal.
  static const Ast& string_literal_argument(const Ast& ast, const std::string& fname,
                                            const char* what, const char* example) {
    if (ast.children.empty() || !ast.arg_names[0].empty() ||
        ast.children[0]->kind != Ast::Kind::kString) {
      Position where = ast.children.empty() ? ast.position : start_of(*ast.children[0]);
      throw Error(sqlstate::kDatatypeMismatch, fname + "() takes " + what +
                                                   " as a string literal, as in " + fname + "('" +
                                                   example + "')" + at(where));
    }
    return *ast.children[0];
  }

  // The optional second argument of count(): since => <time> or within => '<interval>'.
  void check_count_window(const Ast& ast, Node& n) {
    if (ast.children.size() == 1) return;
    const std::string& arg = ast.arg_names.size() > 1 ? ast.arg_names[1] : std::string();
    std::string lowered = arg;
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ast.children.size() > 2 || (lowered != "since" && lowered != "within")) {
      if (!arg.empty() && ast.children.size() == 2) {
        throw Error(sqlstate::kUndefinedFunction,
                    "unknown argument '" + arg + "' for count()" + at(ast.arg_name_positions[1]));
      }
      throw Error(sqlstate::kUndefinedFunction,
                  "count() takes an event type and optionally since => <time> or within => "
                  "<interval>, got " +
                      std::to_string(ast.children.size()) + " arguments" + at(ast.position));
    }
    const Ast& value = *ast.children[1];
    if (lowered == "within") {
      if (value.kind != Ast::Kind::kString) {
        Typed typed = check(value, Level::kCart);
        throw Error(sqlstate::kDatatypeMismatch,
                    "within => needs an interval such as '2 days', got " + describe_type(typed) +
                        at(start_of(value)));
      }
      n.window = Window::kWithin;
      n.value = parse_interval(value.text, value.position);
      return;
    }
    Typed since = check(value, Level::kCart);
    if (since.untyped || since.type != Type::kTime) {
      throw Error(sqlstate::kDatatypeMismatch,
                  "since => needs a time, got " + describe_type(since) + at(start_of(value)));
    }
    n.window = Window::kSince;
    n.a = since.node;
  }

  // time + interval, time - interval: the interval is a string literal on the right. Chains of
  // shifts fold into one node (`now() - '1 day' - '2 hours'` is now() - '1 day 2 hours').
  Typed check_time_arith(const Ast& ast, const Typed& left, const Typed& right) {
    const Ast& right_ast = *ast.children[1];
    bool time_left = !left.untyped && left.type == Type::kTime;
    if (time_left && !right.untyped && right.type == Type::kTime) {
      throw Error(sqlstate::kDatatypeMismatch,
                  "operator " + ast.text +
                      " is not defined for time and time; shift a time by an interval such as "
                      "now() - '2 days'" +
                      at(ast.position));
    }
    if (!time_left || (ast.text != "+" && ast.text != "-") ||
        right_ast.kind != Ast::Kind::kString) {
      std::string right_type = right_ast.kind == Ast::Kind::kString && time_left
                                   ? std::string("interval")
                                   : describe_type(right);
      throw Error(sqlstate::kDatatypeMismatch, "operator " + ast.text + " is not defined for " +
                                                   describe_type(left) + " and " + right_type +
                                                   at(ast.position));
    }
    __int128 shift = parse_interval(right_ast.text, right_ast.position);
    if (ast.text == "-") shift = -shift;
    int base = left.node;
    if (node(base).op == Op::kTimeShift) {
      shift += node(base).value;
      base = node(base).a;
    }
    if (shift > kMaxIntervalMicros || shift < -kMaxIntervalMicros) {
      throw Error("22015", "time shift is longer than 100000 days" + at(ast.position));
    }
    if (shift == 0) return Typed{Type::kTime, base};
    Node n = make_node(Op::kTimeShift, Type::kTime, false);
    n.a = base;
    n.value = static_cast<int64_t>(shift);
    n.position = ast.position;
    return Typed{Type::kTime, add(std::move(n))};
  }

  const Environment& environment_;
  Ir ir_;
};

}  // namespace

Ir check(const Ast& ast, Context context, const Environment& environment) {
  return Checker(context, environment).run(ast);
}

}  // namespace promo::rule
