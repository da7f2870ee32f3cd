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

// The one field of `requirement` when all its keys have the same plain (not joined) field.
std::optional<std::string> single_field(const KeyRequirement& requirement) {
  if (!requirement.constrained || requirement.keys.empty()) return std::nullopt;
  const std::string& field = requirement.keys.front().first;
  if (field.find(kKeyFieldJoin) != std::string::npos) return std::nullopt;
  for (const auto& key : requirement.keys) {
    if (key.first != field) return std::nullopt;
  }
  return field;
}

// For an `and` of predicates on ONE item: the sides constrained on one field each (distinct
// fields) make a joined key the item must have all parts of, e.g. category = 'shoes' and
// attributes.brand = 'acme' -> ("attributes.brand+category", "acme<US>shoes"). Far more selective
// than either part when promotions are about brands within categories. At most kMaxJoined
// fields and kMaxJoinedKeys combinations; nullopt when fewer than two sides qualify.
std::optional<KeyRequirement> joined(const std::vector<KeyRequirement>& sides) {
  constexpr size_t kMaxJoined = 3;
  constexpr size_t kMaxJoinedKeys = 64;
  std::vector<std::pair<std::string, const KeyRequirement*>> parts;  // by field
  for (const KeyRequirement& side : sides) {
    std::optional<std::string> field = single_field(side);
    if (!field) continue;
    auto same = std::find_if(parts.begin(), parts.end(),
                             [&](const auto& part) { return part.first == *field; });
    if (same != parts.end()) {
      if (side.keys.size() < same->second->keys.size()) same->second = &side;
      continue;
    }
    parts.emplace_back(*field, &side);
  }
  if (parts.size() < 2) return std::nullopt;
  // The fewest combinations first; fields in name order make the joined field canonical.
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.second->keys.size() < b.second->keys.size();
  });
  if (parts.size() > kMaxJoined) parts.resize(kMaxJoined);
  size_t combinations = 1;
  for (const auto& part : parts) combinations *= part.second->keys.size();
  while (combinations > kMaxJoinedKeys && parts.size() > 2) {
    combinations /= parts.back().second->keys.size();
    parts.pop_back();
  }
  if (combinations > kMaxJoinedKeys) return std::nullopt;
  std::sort(parts.begin(), parts.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string field;
  for (const auto& part : parts) {
    field += (field.empty() ? "" : std::string(1, kKeyFieldJoin)) + part.first;
  }
  std::vector<std::string> values{""};
  for (size_t i = 0; i < parts.size(); ++i) {
    std::vector<std::string> longer;
    for (const std::string& prefix : values) {
      for (const auto& key : parts[i].second->keys) {
        longer.push_back(i == 0 ? key.second : prefix + kKeyValueJoin + key.second);
      }
    }
    values = std::move(longer);
  }
  KeyRequirement result;
  result.constrained = true;
  for (std::string& value : values) result.keys.emplace_back(field, std::move(value));
  return normalized(std::move(result));
}

// `and` needs one constrained side (any is necessary, take the smallest set; within one item,
// a key joining several sides when there is one); `or` needs every side constrained and takes
// the union.
template <typename KeysOf>
KeyRequirement combine(const Ir& ir, const Node& n, KeysOf keys_of, bool one_item) {
  if (n.op == Op::kAnd) {
    std::vector<KeyRequirement> sides;
    for (int operand : n.list) sides.push_back(keys_of(ir, operand));
    if (one_item) {
      if (std::optional<KeyRequirement> both = joined(sides)) return *both;
    }
    const KeyRequirement* best = nullptr;
    for (const KeyRequirement& side : sides) {
      if (side.constrained && (!best || side.keys.size() < best->keys.size())) best = &side;
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

// The key field of an item value: "sku", "category", "attributes.<key>", or "" when it is not
// indexed.
std::string indexed_field(const Node& n) {
  if (n.op == Op::kSku) return "sku";
  if (n.op == Op::kCategory) return "category";
  if (n.op == Op::kAttribute) return std::string(kAttributeKeyPrefix) + n.text;
  return "";
}

// Keys an item must have to match an item condition.
KeyRequirement item_keys(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kCompare: {
      // sku/category = 'x' (a string comparison), or attributes.k = 'x' (equal only when the
      // attribute is that string).
      if (n.cmp != Cmp::kEq) return unconstrained();
      const Node& left = at(ir, n.a);
      const Node& right = at(ir, n.b);
      const Node* field = left.op == Op::kStringConst ? &right : &left;
      const Node* value = field == &left ? &right : &left;
      if (value->op != Op::kStringConst) return unconstrained();
      bool plain = n.compare_as == CompareAs::kString && field->op != Op::kAttribute;
      bool attribute = n.compare_as == CompareAs::kDynamic && field->op == Op::kAttribute;
      std::string name = indexed_field(*field);
      if ((!plain && !attribute) || name.empty()) return unconstrained();
      KeyRequirement r;
      r.constrained = true;
      r.keys.emplace_back(std::move(name), value->text);
      return r;
    }
    case Op::kIn: {
      const Node& subject = at(ir, n.a);
      if (n.negated || (subject.op != Op::kSku && subject.op != Op::kCategory)) {
        return unconstrained();
      }
      std::string field = indexed_field(subject);
      KeyRequirement r;
      r.constrained = true;
      for (const std::string& value : n.string_set) r.keys.emplace_back(field, value);
      return normalized(std::move(r));
    }
    case Op::kAnd:
    case Op::kOr:
      return combine(ir, n, item_keys, true);
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
      return combine(ir, n, cart_keys, false);
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

bool append_key_part(const CartItem& item, std::string_view part, std::string& out) {
  if (part == "sku") {
    out += item.sku;
    return true;
  }
  if (part == "category") {
    out += item.category;
    return true;
  }
  if (part.starts_with(kAttributeKeyPrefix)) {
    const AttributeValue* value = item.attribute(part.substr(kAttributeKeyPrefix.size()));
    if (value == nullptr || value->kind != AttributeValue::Kind::kString) return false;
    out += value->text;
    return true;
  }
  return false;
}

bool item_key_value(const CartItem& item, std::string_view field, std::string& out) {
  out.clear();
  size_t start = 0;
  while (true) {
    size_t end = field.find(kKeyFieldJoin, start);
    if (start > 0) out += kKeyValueJoin;
    if (!append_key_part(item, field.substr(start, end - start), out)) return false;
    if (end == std::string_view::npos) return true;
    start = end + 1;
  }
}

int64_t min_subtotal(const Ir& ir) {
  if (ir.context != Context::kCondition) return 0;
  return std::max<int64_t>(0, subtotal_floor(ir, ir.root));
}

}  // namespace promo::rule
