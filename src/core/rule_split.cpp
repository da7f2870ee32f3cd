// Customer side / cart side split of a condition; see rule_split.hpp.
//
// Decided wording of `needs` (also in docs/reference.md):
//  - A part that reads only customer data and is true is dropped; one that is false makes the
//    enclosing `and` unreachable (the promotion is not offered at all when the whole condition's
//    customer side is false).
//  - Without a cart every cart part is unmet and is named as written canonically:
//    "subtotal >= 50.00", "has(sku = 'HP-PRO')". With a cart, met parts are dropped and an
//    unmet part is said as hints say it ("subtotal 2500 short", "add an item matching ...")
//    when adding to the cart can meet it, otherwise as written.
//  - `and`: the needs of its parts, in order, without repeats.
//  - `or`: [] when one alternative holds (a customer-side alternative that is true, e.g.
//    in_segment('vip') for a vip, or a cart alternative the cart meets). Otherwise the
//    alternatives still possible (customer-false ones dropped): one alternative gives its own
//    needs; several give one need, the alternatives joined with " or " (each alternative that
//    has several needs is parenthesised with its needs joined by " and ").
//  - `not` of a part that reads the cart: one need, the `not` part as written.
#include "core/rule_split.hpp"

#include "core/rule_eval.hpp"
#include "core/rule_explain.hpp"
#include "core/rule_printer.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace promo::rule {
namespace {

const Node& at(const Ir& ir, int index) {
  return ir.nodes[static_cast<size_t>(index)];
}

bool reads_cart_op(Op op) {
  switch (op) {
    case Op::kSubtotal:
    case Op::kCartQuantity:
    case Op::kHas:
    case Op::kQuantityOf:
    case Op::kAmountOf:
    case Op::kSku:
    case Op::kProduct:
    case Op::kCategory:
    case Op::kUnitPrice:
    case Op::kLineQuantity:
    case Op::kAttribute:
      return true;
    default:
      return false;
  }
}

// Appends `more` to `into`, skipping texts already there.
void append_unique(std::vector<Need>& into, std::vector<Need> more) {
  for (Need& need : more) {
    bool seen = std::any_of(into.begin(), into.end(),
                            [&](const Need& other) { return other.text == need.text; });
    if (!seen) into.push_back(std::move(need));
  }
}

// One alternative's needs as one phrase: "a" or "(a and b)".
std::string as_phrase(const std::vector<Need>& needs) {
  if (needs.size() == 1) return needs.front().text;
  std::string text = "(";
  for (size_t i = 0; i < needs.size(); ++i) text += (i ? " and " : "") + needs[i].text;
  return text + ")";
}

class Splitter {
 public:
  Splitter(const Ir& ir, const Facts& facts) : ir_(ir), facts_(facts) {}

  // nullopt: the part cannot hold (its customer side is false); otherwise what the cart still
  // needs for it (empty: it holds).
  std::optional<std::vector<Need>> needs(int index) const {
    const Node& n = at(ir_, index);
    if (!reads_cart(ir_, index)) {
      if (eval_bool(ir_, index, Env{nullptr, nullptr, &facts_})) return std::vector<Need>{};
      return std::nullopt;
    }
    switch (n.op) {
      case Op::kAnd: {
        std::vector<Need> all;
        for (int operand : n.list) {
          auto part = needs(operand);
          if (!part) return std::nullopt;
          append_unique(all, std::move(*part));
        }
        return all;
      }
      case Op::kOr: {
        std::vector<std::vector<Need>> open;
        for (int operand : n.list) {
          auto part = needs(operand);
          if (!part) continue;
          if (part->empty()) return std::vector<Need>{};
          open.push_back(std::move(*part));
        }
        if (open.empty()) return std::nullopt;
        if (open.size() == 1) return open.front();
        std::string text;
        for (size_t i = 0; i < open.size(); ++i) text += (i ? " or " : "") + as_phrase(open[i]);
        return std::vector<Need>{{text}};
      }
      case Op::kNot: {
        Truth side = eval_customer_side(ir_, index, facts_);
        if (side == Truth::kFalse) return std::nullopt;
        if (side == Truth::kTrue) return std::vector<Need>{};
        return leaf(index);
      }
      default:
        return leaf(index);
    }
  }

 private:
  // A part reading the cart that is not and/or: met, or the words of what is unmet.
  std::optional<std::vector<Need>> leaf(int index) const {
    if (facts_.cart == nullptr) return std::vector<Need>{{print(ir_, index)}};
    Env env{facts_.cart, nullptr, &facts_};
    if (eval_bool(ir_, index, env)) return std::vector<Need>{};
    // The hint wording of this part alone ("subtotal 2500 short"), when adding can meet it.
    Ir part = ir_;
    part.root = index;
    if (auto hinted = missing(part, facts_); hinted && !hinted->empty()) return hinted;
    return std::vector<Need>{{print(ir_, index)}};
  }

  const Ir& ir_;
  const Facts& facts_;
};

}  // namespace

bool reads_cart(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  if (reads_cart_op(n.op)) return true;
  if (n.a >= 0 && reads_cart(ir, n.a)) return true;
  if (n.b >= 0 && reads_cart(ir, n.b)) return true;
  return std::any_of(n.list.begin(), n.list.end(),
                     [&](int operand) { return operand >= 0 && reads_cart(ir, operand); });
}

Truth eval_customer_side(const Ir& ir, int index, const Facts& facts) {
  const Node& n = at(ir, index);
  if (!reads_cart(ir, index)) {
    return eval_bool(ir, index, Env{nullptr, nullptr, &facts}) ? Truth::kTrue : Truth::kFalse;
  }
  switch (n.op) {
    case Op::kAnd: {
      Truth result = Truth::kTrue;
      for (int operand : n.list) {
        Truth part = eval_customer_side(ir, operand, facts);
        if (part == Truth::kFalse) return Truth::kFalse;
        if (part == Truth::kUnknown) result = Truth::kUnknown;
      }
      return result;
    }
    case Op::kOr: {
      Truth result = Truth::kFalse;
      for (int operand : n.list) {
        Truth part = eval_customer_side(ir, operand, facts);
        if (part == Truth::kTrue) return Truth::kTrue;
        if (part == Truth::kUnknown) result = Truth::kUnknown;
      }
      return result;
    }
    case Op::kNot:
      switch (eval_customer_side(ir, n.a, facts)) {
        case Truth::kTrue:
          return Truth::kFalse;
        case Truth::kFalse:
          return Truth::kTrue;
        default:
          return Truth::kUnknown;
      }
    default:
      return Truth::kUnknown;
  }
}

std::vector<Need> cart_needs(const Ir& ir, const Facts& facts) {
  auto needs = Splitter(ir, facts).needs(ir.root);
  return needs ? std::move(*needs) : std::vector<Need>{};
}

}  // namespace promo::rule
