// explain_failure and missing; see rule_explain.hpp.
#include "core/rule_explain.hpp"

#include "core/explain.hpp"
#include "core/rule_eval.hpp"
#include "core/rule_index.hpp"
#include "core/rule_printer.hpp"
#include "core/rule_time.hpp"

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
    case Op::kCount:
      return "count";
    default:
      return print(ir, index);
  }
}

// A customer attribute as written in JSON; "missing" when the customer has no such key.
std::string attribute_text(const Ir& ir, const Node& n, const Env& env) {
  (void)ir;
  if (n.op != Op::kCustomerAttribute) return "?";
  const AttributeValue* value =
      env.facts && env.facts->customer ? env.facts->customer->attribute(n.text) : nullptr;
  if (!value) return "missing";
  switch (value->kind) {
    case AttributeValue::Kind::kNull:
      return "null";
    case AttributeValue::Kind::kBool:
      return value->boolean ? "true" : "false";
    case AttributeValue::Kind::kNumber:
      return value->number.to_string();
    case AttributeValue::Kind::kString:
      return "'" + value->text + "'";
  }
  return "?";
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
    case Type::kTime: {
      TimeValue t = eval_time(ir, index, env);
      if (t.null) return "null";
      if (t.at == kMinusInfinity) return "-infinity";
      if (t.at == kPlusInfinity) return "infinity";
      return explain::format_utc(t.at);
    }
    case Type::kAttribute:
      return attribute_text(ir, n, env);
    default:
      return "?";
  }
}

size_t matching_items(const Ir& ir, int condition, const Env& env) {
  return static_cast<size_t>(
      std::count_if(env.cart->items.begin(), env.cart->items.end(), [&](const CartItem& item) {
        return eval_bool(ir, condition, Env{env.cart, &item, env.facts});
      }));
}

// The cart's and customer's side of a failed part, without parentheses: "subtotal is 30.00".
// Constants and clocks (now(), start_of_*()) are left out: they read no data.
std::string detail(const Ir& ir, int index, const Env& env) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kHas:
      return "no item matches";
    case Op::kInSegment:
      return "not in segment " + n.text;
    case Op::kNot:
      if (at(ir, n.a).op == Op::kHas) {
        size_t count = matching_items(ir, at(ir, n.a).a, env);
        return count == 1 ? "1 item matches" : std::to_string(count) + " items match";
      }
      if (at(ir, n.a).op == Op::kInSegment) return "in segment " + at(ir, n.a).text;
      return "";
    case Op::kCompare: {
      std::string out;
      for (int side : {n.a, n.b}) {
        if (at(ir, side).constant || is_clock(ir, side)) continue;
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
        std::string part = detail(ir, operand, env);
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
std::optional<std::vector<Need>> needs(const Ir& ir, int index, const Env& env) {
  if (eval_bool(ir, index, env)) return std::vector<Need>{};
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kHas:
      return std::vector<Need>{{"add an item matching " + print(ir, n.a)}};
    case Op::kAnd: {
      std::vector<Need> all;
      for (int operand : n.list) {
        auto part = needs(ir, operand, env);
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
        if (auto part = needs(ir, operand, env)) return part;
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

Explanation explain(const Ir& ir, const Facts& facts) {
  Env env{facts.cart, nullptr, &facts};
  int failing = ir.root;
  if (eval_bool(ir, failing, env)) return {"condition_failed", "the condition is true"};
  while (at(ir, failing).op == Op::kAnd) {
    for (int operand : at(ir, failing).list) {
      if (!eval_bool(ir, operand, env)) {
        failing = operand;
        break;
      }
    }
  }
  // A failing in_segment(), or an `or` made only of in_segment() calls (in none of them).
  const Node& part = at(ir, failing);
  if (part.op == Op::kInSegment) return {"not_in_segment", "not in segment " + part.text};
  if (part.op == Op::kOr && std::all_of(part.list.begin(), part.list.end(), [&](int operand) {
        return at(ir, operand).op == Op::kInSegment;
      })) {
    std::string names;
    for (int operand : part.list) names += (names.empty() ? "" : " or ") + at(ir, operand).text;
    return {"not_in_segment", "not in segment " + names};
  }
  std::string text = print(ir, failing) + " is false";
  std::string why = detail(ir, failing, env);
  if (!why.empty()) text += " (" + why + ")";
  return {"condition_failed", text};
}

std::optional<std::vector<Need>> missing(const Ir& ir, const Facts& facts) {
  return needs(ir, ir.root, Env{facts.cart, nullptr, &facts});
}

}  // namespace promo::rule
