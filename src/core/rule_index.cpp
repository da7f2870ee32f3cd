// Index facts; see rule_index.hpp.
#include "core/rule_index.hpp"

#include "core/rule_eval.hpp"

#include <algorithm>
#include <limits>

namespace promo::rule {
namespace {

const Node& at(const Ir& ir, int index) {
  return ir.nodes[static_cast<size_t>(index)];
}

Cmp flipped(Cmp cmp) {
  switch (cmp) {
    case Cmp::kLt:
      return Cmp::kGt;
    case Cmp::kLe:
      return Cmp::kGe;
    case Cmp::kGt:
      return Cmp::kLt;
    case Cmp::kGe:
      return Cmp::kLe;
    default:
      return cmp;
  }
}

KeyRequirement unconstrained() {
  return {};
}

// Sorted, duplicate-free keys so requirements compare and print stably.
KeyRequirement normalized(KeyRequirement requirement) {
  std::sort(requirement.keys.begin(), requirement.keys.end());
  requirement.keys.erase(std::unique(requirement.keys.begin(), requirement.keys.end()),
                         requirement.keys.end());
  return requirement;
}

// `and` needs one constrained side (any is necessary, take the smallest set); `or` needs every
// side constrained and takes the union.
template <typename KeysOf>
KeyRequirement combine(const Ir& ir, const Node& n, KeysOf keys_of) {
  if (n.op == Op::kAnd) {
    std::optional<KeyRequirement> best;
    for (int operand : n.list) {
      KeyRequirement side = keys_of(ir, operand);
      if (side.constrained && (!best || side.keys.size() < best->keys.size())) best = side;
    }
    return best ? *best : unconstrained();
  }
  KeyRequirement all;
  all.constrained = true;
  for (int operand : n.list) {
    KeyRequirement side = keys_of(ir, operand);
    if (!side.constrained) return unconstrained();
    all.keys.insert(all.keys.end(), side.keys.begin(), side.keys.end());
  }
  return normalized(std::move(all));
}

const char* indexed_field(const Node& n) {
  if (n.op == Op::kSku) return "sku";
  if (n.op == Op::kCategory) return "category";
  return nullptr;
}

// Keys an item must have to match an item condition.
KeyRequirement item_keys(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kCompare: {
      if (n.cmp != Cmp::kEq || n.compare_as != CompareAs::kString) return unconstrained();
      const Node& left = at(ir, n.a);
      const Node& right = at(ir, n.b);
      const Node* field = indexed_field(left) ? &left : &right;
      const Node* value = field == &left ? &right : &left;
      if (!indexed_field(*field) || value->op != Op::kStringConst) return unconstrained();
      KeyRequirement r;
      r.constrained = true;
      r.keys.emplace_back(indexed_field(*field), value->text);
      return r;
    }
    case Op::kIn: {
      const char* field = indexed_field(at(ir, n.a));
      if (n.negated || !field) return unconstrained();
      KeyRequirement r;
      r.constrained = true;
      for (const std::string& value : n.string_set) r.keys.emplace_back(field, value);
      return normalized(std::move(r));
    }
    case Op::kAnd:
    case Op::kOr:
      return combine(ir, n, item_keys);
    default:
      return unconstrained();
  }
}

// True when `atom` on quantity(c) / amount(c) can only hold if some item matches c.
bool needs_a_match(const Node& subject, const Atom& atom) {
  int64_t k = atom.bound;
  if (subject.op == Op::kQuantityOf) {
    return (atom.cmp == Cmp::kGe && k >= 1) || (atom.cmp == Cmp::kGt && k >= 0) ||
           (atom.cmp == Cmp::kEq && k >= 1);
  }
  if (subject.op == Op::kAmountOf) {
    return (atom.cmp == Cmp::kGe && k > 0) || (atom.cmp == Cmp::kGt && k >= 0) ||
           (atom.cmp == Cmp::kEq && k > 0);
  }
  return false;
}

// Keys the cart must contain for a cart-level condition to hold.
KeyRequirement cart_keys(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kHas:
      return item_keys(ir, n.a);
    case Op::kCompare: {
      auto atom = as_atom(ir, index);
      if (!atom) return unconstrained();
      const Node& subject = at(ir, atom->subject);
      return needs_a_match(subject, *atom) ? item_keys(ir, subject.a) : unconstrained();
    }
    case Op::kAnd:
    case Op::kOr:
      return combine(ir, n, cart_keys);
    default:
      return unconstrained();
  }
}

int64_t subtotal_floor(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kCompare: {
      auto atom = as_atom(ir, index);
      if (!atom) return 0;
      Op subject = at(ir, atom->subject).op;
      if (subject != Op::kSubtotal && subject != Op::kAmountOf) return 0;
      if (atom->cmp == Cmp::kGe || atom->cmp == Cmp::kEq) return atom->bound;
      if (atom->cmp == Cmp::kGt) {
        return atom->bound == std::numeric_limits<int64_t>::max() ? atom->bound : atom->bound + 1;
      }
      return 0;
    }
    case Op::kAnd: {
      int64_t floor = 0;
      for (int operand : n.list) floor = std::max(floor, subtotal_floor(ir, operand));
      return floor;
    }
    case Op::kOr: {
      int64_t floor = std::numeric_limits<int64_t>::max();
      for (int operand : n.list) floor = std::min(floor, subtotal_floor(ir, operand));
      return floor;
    }
    default:
      return 0;
  }
}

}  // namespace

std::optional<Atom> as_atom(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  if (n.op != Op::kCompare || n.compare_as != CompareAs::kInteger) return std::nullopt;
  bool left_constant = at(ir, n.a).constant;
  bool right_constant = at(ir, n.b).constant;
  if (left_constant == right_constant) return std::nullopt;
  Atom atom;
  atom.subject = right_constant ? n.a : n.b;
  atom.cmp = right_constant ? n.cmp : flipped(n.cmp);
  atom.bound = eval_int(ir, right_constant ? n.b : n.a, Env{});
  return atom;
}

KeyRequirement required_keys(const Ir& ir) {
  switch (ir.context) {
    case Context::kCondition:
      return cart_keys(ir, ir.root);
    case Context::kItemCondition:
      return item_keys(ir, ir.root);
    case Context::kCount:
    case Context::kSegment:
      break;
  }
  return unconstrained();
}

int64_t min_subtotal(const Ir& ir) {
  if (ir.context != Context::kCondition) return 0;
  return std::max<int64_t>(0, subtotal_floor(ir, ir.root));
}

}  // namespace promo::rule
