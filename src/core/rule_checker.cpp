// Name resolution and type checking; see rule_checker.hpp.
//
// Number literals are untyped until they meet a typed operand: next to money they are money in
// major units (50 -> 5000 for USD; more decimals than the currency has is an error), next to an
// integer they must be integral, next to an attribute they stay exact decimals. An expression
// made only of literals (`1 + 2`) takes its type the same way; with no typed operand at all it
// is an integer.
#include "core/rule_checker.hpp"

#include "core/error.hpp"
#include "core/rule_names.hpp"

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
      if (other == Type::kMoney) throw mismatch();
      return CompareAs::kDynamic;
    }
    if (left != right) throw mismatch();
    switch (left) {
      case Type::kString:
        return CompareAs::kString;
      case Type::kBool:
        return CompareAs::kBool;
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

  static bool is_attributes(std::string_view head) {
    return head.size() == 10 && find_field_anywhere(head) == nullptr &&
           closest_name(head) == std::optional<std::string>("attributes") &&
           std::equal(head.begin(), head.end(), "attributes", [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == y;
           });
  }

  Typed check_name(const Ast& ast, Level level) {
    const std::string& name = ast.text;
    size_t dot = name.find('.');
    std::string head = name.substr(0, dot);
    if (is_attributes(head)) {
      if (dot == std::string::npos) {
        throw Error(
            sqlstate::kUndefinedColumn,
            "attributes must be followed by a key, as in attributes.color," + at(ast.position));
      }
      std::string key = name.substr(dot + 1);
      if (key.find('.') != std::string::npos) {
        unknown(sqlstate::kUndefinedColumn, "field", name, ast.position);
      }
      if (level == Level::kCart) item_field_at_cart_level(name, ast.position);
      Node n = make_node(Op::kAttribute, Type::kAttribute, false);
      n.text = key;
      n.position = ast.position;
      return Typed{Type::kAttribute, add(std::move(n))};
    }
    if (dot != std::string::npos) unknown(sqlstate::kUndefinedColumn, "field", name, ast.position);
    if (const FieldSpec* field = find_field(name, level)) {
      Node n = make_node(field->op, field->type, false);
      n.position = ast.position;
      return Typed{field->type, add(std::move(n))};
    }
    if (const FieldSpec* field = find_field_anywhere(name)) {
      if (field->level == Level::kItem) item_field_at_cart_level(name, ast.position);
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
      if (find_field_anywhere(name) || is_attributes(name)) {
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
    for (size_t i = 0; i < ast.arg_names.size(); ++i) {
      if (!ast.arg_names[i].empty()) {
        throw Error(sqlstate::kUndefinedFunction, "unknown argument '" + ast.arg_names[i] +
                                                      "' for " + fname + "()" +
                                                      at(ast.arg_name_positions[i]));
      }
    }
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

  const Environment& environment_;
  Ir ir_;
};

}  // namespace

Ir check(const Ast& ast, Context context, const Environment& environment) {
  return Checker(context, environment).run(ast);
}

}  // namespace promo::rule
