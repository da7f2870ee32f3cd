// explain_failure and missing; see rule_explain.hpp.
#include "core/rule_explain.hpp"

#include "core/rule_eval.hpp"
#include "core/rule_index.hpp"
#include "core/rule_printer.hpp"

#include <algorithm>
#include <limits>

namespace promo::rule {
namespace {

const Node& at(const Ir& ir, int index) {
  return ir.nodes[static_cast<size_t>(index)];
}

// How a value is named in "(x is v)": calls by their function name, the rest as printed.
std::string label(const Ir& ir, int index) {
  switch (at(ir, index).op) {
    case Op::kQuantityOf:
      return "quantity";
    case Op::kAmountOf:
      return "amount";
    default:
      return print(ir, index);
  }
}

std::string value_text(const Ir& ir, int index, const Env& env) {
  const Node& n = at(ir, index);
  switch (n.type) {
    case Type::kMoney:
      return format_money(eval_int(ir, index, env), ir.currency.exponent);
    case Type::kInteger:
      return std::to_string(eval_int(ir, index, env));
    case Type::kBool:
      return eval_bool(ir, index, env) ? "true" : "false";
    case Type::kString:
      return "'" + std::string(eval_string(ir, index, env)) + "'";
    default:
      return "?";
  }
}

size_t matching_items(const Ir& ir, int condition, const Cart& cart) {
  return static_cast<size_t>(
      std::count_if(cart.items.begin(), cart.items.end(), [&](const CartItem& item) {
        return eval_bool(ir, condition, Env{&cart, &item});
      }));
}

// The cart's side of a failed part, without parentheses: "subtotal is 30.00".
std::string detail(const Ir& ir, int index, const Cart& cart) {
  const Node& n = at(ir, index);
  Env env{&cart, nullptr};
  switch (n.op) {
    case Op::kHas:
      return "no item matches";
    case Op::kNot:
      if (at(ir, n.a).op == Op::kHas) {
        size_t count = matching_items(ir, at(ir, n.a).a, cart);
        return count == 1 ? "1 item matches" : std::to_string(count) + " items match";
      }
      return "";
    case Op::kCompare: {
      std::string out;
      for (int side : {n.a, n.b}) {
        if (at(ir, side).constant) continue;
        if (!out.empty()) out += ", ";
        out += label(ir, side) + " is " + value_text(ir, side, env);
      }
      return out;
    }
    case Op::kIn:
      if (at(ir, n.a).constant) return "";
      return label(ir, n.a) + " is " + value_text(ir, n.a, env);
    case Op::kOr:
    case Op::kAnd: {
      std::string out;
      for (int operand : n.list) {
        std::string part = detail(ir, operand, cart);
        if (part.empty() || out == part || out.ends_with("; " + part)) continue;
        if (!out.empty()) out += "; ";
        out += part;
      }
      return out;
    }
    default:
      return "";
  }
}

std::string units(int64_t count) {
  return std::to_string(count) + (count == 1 ? " more unit" : " more units");
}

// The needs of one failed part; see missing().
std::optional<std::vector<Need>> needs(const Ir& ir, int index, const Cart& cart) {
  Env env{&cart, nullptr};
  if (eval_bool(ir, index, env)) return std::vector<Need>{};
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kHas:
      return std::vector<Need>{{"add an item matching " + print(ir, n.a)}};
    case Op::kAnd: {
      std::vector<Need> all;
      for (int operand : n.list) {
        auto part = needs(ir, operand, cart);
        if (!part) return std::nullopt;
        for (Need& need : *part) {
          bool seen = std::any_of(all.begin(), all.end(),
                                  [&](const Need& other) { return other.text == need.text; });
          if (!seen) all.push_back(std::move(need));
        }
      }
      return all;
    }
    case Op::kOr: {
      bool all_has = std::all_of(n.list.begin(), n.list.end(),
                                 [&](int operand) { return at(ir, operand).op == Op::kHas; });
      if (all_has) {
        std::string text = "add an item matching ";
        for (size_t i = 0; i < n.list.size(); ++i) {
          if (i > 0) text += " or an item matching ";
          text += print(ir, at(ir, n.list[i]).a);
        }
        return std::vector<Need>{{text}};
      }
      for (int operand : n.list) {
        if (auto part = needs(ir, operand, cart)) return part;
      }
      return std::nullopt;
    }
    case Op::kCompare: {
      auto atom = as_atom(ir, index);
      if (!atom || (atom->cmp != Cmp::kGe && atom->cmp != Cmp::kGt)) return std::nullopt;
      const Node& subject = at(ir, atom->subject);
      int64_t current = eval_int(ir, atom->subject, env);
      int64_t target = atom->bound;
      if (atom->cmp == Cmp::kGt && target < std::numeric_limits<int64_t>::max()) ++target;
      int64_t shortfall;
      if (__builtin_sub_overflow(target, current, &shortfall)) return std::nullopt;
      switch (subject.op) {
        case Op::kSubtotal:
          return std::vector<Need>{{"subtotal " + std::to_string(shortfall) + " short"}};
        case Op::kCartQuantity:
          return std::vector<Need>{{"add " + units(shortfall)}};
        case Op::kQuantityOf:
          return std::vector<Need>{
              {"add " + units(shortfall) + " matching " + print(ir, subject.a)}};
        case Op::kAmountOf:
          return std::vector<Need>{{"amount of items matching " + print(ir, subject.a) + " " +
                                    std::to_string(shortfall) + " short"}};
        default:
          return std::nullopt;
      }
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string explain_failure(const Ir& ir, const Cart& cart) {
  Env env{&cart, nullptr};
  int failing = ir.root;
  if (eval_bool(ir, failing, env)) return "the condition is true";
  while (at(ir, failing).op == Op::kAnd) {
    for (int operand : at(ir, failing).list) {
      if (!eval_bool(ir, operand, env)) {
        failing = operand;
        break;
      }
    }
  }
  std::string text = print(ir, failing) + " is false";
  std::string why = detail(ir, failing, cart);
  if (!why.empty()) text += " (" + why + ")";
  return text;
}

std::optional<std::vector<Need>> missing(const Ir& ir, const Cart& cart) {
  return needs(ir, ir.root, cart);
}

}  // namespace promo::rule
