// Tree-walking evaluator over the flattened compiled form; see rule_eval.hpp.
#include "core/rule_eval.hpp"

#include <algorithm>
#include <limits>

namespace promo::rule {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Saturating int64 arithmetic: results beyond the range stick to the nearest limit.
int64_t saturating_add(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMax : kMin;
  return r;
}
int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMax : kMin;
  return r;
}
int64_t saturating_mul(int64_t a, int64_t b) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) return (a < 0) != (b < 0) ? kMin : kMax;
  return r;
}
// Truncating division; x / 0 is 0 and kMin / -1 saturates to kMax.
int64_t saturating_div(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (a == kMin && b == -1) return kMax;
  return a / b;
}

template <typename T>
bool apply(Cmp cmp, const T& a, const T& b) {
  switch (cmp) {
    case Cmp::kEq:
      return a == b;
    case Cmp::kNe:
      return a != b;
    case Cmp::kLt:
      return a < b;
    case Cmp::kLe:
      return a <= b;
    case Cmp::kGt:
      return a > b;
    case Cmp::kGe:
      return a >= b;
  }
  return false;
}

// A value on either side of a comparison with an attribute.
struct Dynamic {
  enum class Kind { kMissing, kBool, kNumber, kString };
  Kind kind = Kind::kMissing;
  bool boolean = false;
  Decimal number;
  std::string_view text;
};

Dynamic eval_dynamic(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  Dynamic d;
  switch (n.type) {
    case Type::kAttribute: {
      const AttributeValue* value = nullptr;
      if (n.op == Op::kCustomerAttribute) {
        if (env.facts && env.facts->customer) value = env.facts->customer->attribute(n.text);
      } else if (env.item) {
        value = find_attribute(*env.item, n.text);
      }
      if (!value) return d;
      switch (value->kind) {
        case AttributeValue::Kind::kNull:
          return d;
        case AttributeValue::Kind::kBool:
          d.kind = Dynamic::Kind::kBool;
          d.boolean = value->boolean;
          return d;
        case AttributeValue::Kind::kNumber:
          d.kind = Dynamic::Kind::kNumber;
          d.number = value->number;
          return d;
        case AttributeValue::Kind::kString:
          d.kind = Dynamic::Kind::kString;
          d.text = value->text;
          return d;
      }
      return d;
    }
    case Type::kNumber:
      d.kind = Dynamic::Kind::kNumber;
      d.number = n.number;
      return d;
    case Type::kString:
      d.kind = Dynamic::Kind::kString;
      d.text = eval_string(ir, index, env);
      return d;
    case Type::kBool:
      d.kind = Dynamic::Kind::kBool;
      d.boolean = eval_bool(ir, index, env);
      return d;
    case Type::kInteger:
    case Type::kMoney:
      d.kind = Dynamic::Kind::kNumber;
      d.number = Decimal{eval_int(ir, index, env), 0};
      return d;
    case Type::kTime:
    case Type::kInterval:
      return d;  // the checker never compares these with attributes
  }
  return d;
}

// A missing or null attribute, or values of different kinds, make every comparison false
// except <> (true). Booleans only compare for (in)equality.
bool compare_dynamic(Cmp cmp, const Dynamic& a, const Dynamic& b) {
  if (a.kind == Dynamic::Kind::kMissing || b.kind == Dynamic::Kind::kMissing || a.kind != b.kind) {
    return cmp == Cmp::kNe;
  }
  switch (a.kind) {
    case Dynamic::Kind::kBool:
      if (cmp == Cmp::kEq) return a.boolean == b.boolean;
      if (cmp == Cmp::kNe) return a.boolean != b.boolean;
      return false;
    case Dynamic::Kind::kNumber:
      return apply(cmp, compare(a.number, b.number), 0);
    case Dynamic::Kind::kString:
      return apply(cmp, a.text, b.text);
    case Dynamic::Kind::kMissing:
      break;
  }
  return false;
}

// eval_string for the operands of a string comparison, with the hot cases inline: a has() or
// amount() over the cart compares an item field with a constant for every line of every
// candidate promotion.
inline std::string_view string_operand(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  switch (n.op) {
    case Op::kStringConst:
      return n.text;
    case Op::kSku:
      return env.item->sku;
    case Op::kCategory:
      return env.item->category;
    default:
      return eval_string(ir, index, env);
  }
}

// String equality with the usual mismatch decided inline: SKUs and category codes of equal
// length mostly differ in their last character, so that is compared before the rest.
inline bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return a.back() == b.back() && std::char_traits<char>::compare(a.data(), b.data(), a.size()) == 0;
}

// A necessary condition of an item predicate that is tested without walking the tree: the
// predicate is `sku = '...'` / `category = '...'` (either side) or an `and` whose first operand
// is. has(), quantity() and amount() test it on every line first and evaluate the whole
// predicate only on the lines that pass: most promotions are about one SKU or category, so
// most lines of a cart fail right there. `field` is kBoolConst when there is no such filter.
struct ItemKeyFilter {
  Op field = Op::kBoolConst;
  std::string_view text;
};

ItemKeyFilter key_filter(const Ir& ir, int predicate) {
  const Node* n = &ir.nodes[static_cast<size_t>(predicate)];
  if (n->op == Op::kAnd && !n->list.empty()) n = &ir.nodes[static_cast<size_t>(n->list.front())];
  if (n->op != Op::kCompare || n->compare_as != CompareAs::kString || n->cmp != Cmp::kEq) {
    return {};
  }
  const Node& a = ir.nodes[static_cast<size_t>(n->a)];
  const Node& b = ir.nodes[static_cast<size_t>(n->b)];
  const Node& field = a.op == Op::kStringConst ? b : a;
  const Node& constant = a.op == Op::kStringConst ? a : b;
  if (constant.op != Op::kStringConst || (field.op != Op::kSku && field.op != Op::kCategory)) {
    return {};
  }
  return {field.op, constant.text};
}

// False when `item` certainly fails the predicate the filter was taken from.
inline bool may_match(const ItemKeyFilter& filter, const CartItem& item) {
  switch (filter.field) {
    case Op::kSku:
      return same_text(item.sku, filter.text);
    case Op::kCategory:
      return same_text(item.category, filter.text);
    default:
      return true;
  }
}

bool compare_strings(Cmp cmp, std::string_view a, std::string_view b) {
  if (cmp == Cmp::kEq) return same_text(a, b);
  if (cmp == Cmp::kNe) return !same_text(a, b);
  return apply(cmp, a, b);
}

bool eval_compare(const Ir& ir, const Node& n, const Env& env) {
  switch (n.compare_as) {
    case CompareAs::kInteger:
      return apply(n.cmp, eval_int(ir, n.a, env), eval_int(ir, n.b, env));
    case CompareAs::kString:
      return compare_strings(n.cmp, string_operand(ir, n.a, env), string_operand(ir, n.b, env));
    case CompareAs::kBool:
      return apply(n.cmp, eval_bool(ir, n.a, env), eval_bool(ir, n.b, env));
    case CompareAs::kDynamic:
      return compare_dynamic(n.cmp, eval_dynamic(ir, n.a, env), eval_dynamic(ir, n.b, env));
    case CompareAs::kTime: {
      TimeValue a = eval_time(ir, n.a, env);
      TimeValue b = eval_time(ir, n.b, env);
      if (a.null || b.null) return n.cmp == Cmp::kNe;
      return apply(n.cmp, a.at, b.at);
    }
  }
  return false;
}

// Membership in the pre-sorted sets of an `in` node, before `not in` negation.
bool eval_membership(const Ir& ir, const Node& n, const Env& env) {
  const Node& value = ir.nodes[static_cast<size_t>(n.a)];
  switch (value.type) {
    case Type::kString: {
      std::string_view s = eval_string(ir, n.a, env);
      auto it = std::lower_bound(n.string_set.begin(), n.string_set.end(), s,
                                 [](const std::string& x, std::string_view y) { return x < y; });
      return it != n.string_set.end() && *it == s;
    }
    case Type::kInteger:
    case Type::kMoney:
      return std::binary_search(n.int_set.begin(), n.int_set.end(), eval_int(ir, n.a, env));
    case Type::kBool:
      return eval_bool(ir, n.a, env) ? n.set_has_true : n.set_has_false;
    default:
      break;
  }
  Dynamic d = eval_dynamic(ir, n.a, env);
  switch (d.kind) {
    case Dynamic::Kind::kMissing:
      return false;
    case Dynamic::Kind::kBool:
      return d.boolean ? n.set_has_true : n.set_has_false;
    case Dynamic::Kind::kString:
      return std::binary_search(
          n.string_set.begin(), n.string_set.end(), d.text,
          [](const auto& x, const auto& y) { return std::string_view(x) < std::string_view(y); });
    case Dynamic::Kind::kNumber:
      return std::binary_search(
          n.number_set.begin(), n.number_set.end(), d.number,
          [](const Decimal& x, const Decimal& y) { return compare(x, y) < 0; });
  }
  return false;
}

// The customer's event times of `type`, ascending, or nullptr (a guest, or no such event).
const std::vector<int64_t>* events_of(const Env& env, const std::string& type) {
  if (!env.facts || !env.facts->customer) return nullptr;
  return env.facts->customer->event_times(type);
}

int64_t now_of(const Env& env) {
  return env.facts ? env.facts->now : 0;
}

// count(): events with window_start <= occurred_at <= now, by two binary searches.
int64_t eval_count_events(const Ir& ir, const Node& n, const Env& env) {
  const std::vector<int64_t>* times = events_of(env, n.text);
  if (!times) return 0;
  int64_t now = now_of(env);
  auto end = std::upper_bound(times->begin(), times->end(), now);
  auto begin = times->begin();
  if (n.window == Window::kWithin) {
    begin = std::lower_bound(times->begin(), end, shift_time(now, -n.value));
  } else if (n.window == Window::kSince) {
    TimeValue since = eval_time(ir, n.a, env);
    if (since.null) return 0;  // occurred_at >= null is never true
    begin = std::lower_bound(times->begin(), end, since.at);
  }
  return begin < end ? static_cast<int64_t>(end - begin) : 0;
}

}  // namespace

const Calendar& calendar_of(const Env& env) {
  static const Calendar utc;
  return env.facts && env.facts->calendar ? *env.facts->calendar : utc;
}

int64_t shift_time(int64_t t, int64_t micros) {
  if (t == kMinusInfinity || t == kPlusInfinity) return t;
  __int128 shifted = static_cast<__int128>(t) + micros;
  if (shifted <= kMinusInfinity) return kMinusInfinity;
  if (shifted >= kPlusInfinity) return kPlusInfinity;
  return static_cast<int64_t>(shifted);
}

TimeValue eval_time(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  int64_t now = now_of(env);
  switch (n.op) {
    case Op::kNow:
      return {false, now};
    case Op::kStartOfDay:
      return {false, calendar_of(env).start_of_day(now)};
    case Op::kStartOfWeek:
      return {false, calendar_of(env).start_of_week(now)};
    case Op::kStartOfMonth:
      return {false, calendar_of(env).start_of_month(now)};
    case Op::kLast: {
      const std::vector<int64_t>* times = events_of(env, n.text);
      if (!times) return {false, kMinusInfinity};
      auto end = std::upper_bound(times->begin(), times->end(), now);
      return {false, end == times->begin() ? kMinusInfinity : *std::prev(end)};
    }
    case Op::kSignedUpAt: {
      // A sign-up is only known from its moment on: before it, signed_up_at is null.
      const CustomerFacts* customer = env.facts ? env.facts->customer : nullptr;
      if (!customer || !customer->signed_up_at || now < *customer->signed_up_at) return {true, 0};
      return {false, *customer->signed_up_at};
    }
    case Op::kTimeShift: {
      TimeValue base = eval_time(ir, n.a, env);
      if (!base.null) base.at = shift_time(base.at, n.value);
      return base;
    }
    default:
      return {true, 0};
  }
}

const AttributeValue* find_attribute(const CartItem& item, std::string_view key) {
  auto it = std::lower_bound(item.attributes.begin(), item.attributes.end(), key,
                             [](const std::pair<std::string, AttributeValue>& entry,
                                std::string_view k) { return std::string_view(entry.first) < k; });
  if (it == item.attributes.end() || it->first != key) return nullptr;
  return &it->second;
}

bool eval_bool(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  switch (n.op) {
    case Op::kBoolConst:
      return n.value != 0;
    case Op::kAnd:
      for (int operand : n.list) {
        if (!eval_bool(ir, operand, env)) return false;
      }
      return true;
    case Op::kOr:
      for (int operand : n.list) {
        if (eval_bool(ir, operand, env)) return true;
      }
      return false;
    case Op::kNot:
      return !eval_bool(ir, n.a, env);
    case Op::kCompare:
      return eval_compare(ir, n, env);
    case Op::kIn:
      return eval_membership(ir, n, env) != n.negated;
    case Op::kHas: {
      const ItemKeyFilter filter = key_filter(ir, n.a);
      for (const CartItem& item : env.cart->items) {
        if (may_match(filter, item) && eval_bool(ir, n.a, Env{env.cart, &item, env.facts})) {
          return true;
        }
      }
      return false;
    }
    case Op::kInSegment: {
      const Facts* facts = env.facts;
      return facts && facts->segments &&
             facts->segments->contains(static_cast<uint32_t>(n.value), facts->now);
    }
    default:
      return false;
  }
}

int64_t eval_int(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  switch (n.op) {
    case Op::kIntConst:
    case Op::kMoneyConst:
      return n.value;
    case Op::kSubtotal:
      return env.cart->subtotal;
    case Op::kCartQuantity:
      return env.cart->total_quantity;
    case Op::kUnitPrice:
      return env.item->unit_price;
    case Op::kLineQuantity:
      return env.item->quantity;
    case Op::kQuantityOf:
    case Op::kAmountOf: {
      int64_t sum = 0;
      const ItemKeyFilter filter = key_filter(ir, n.a);
      for (const CartItem& item : env.cart->items) {
        if (may_match(filter, item) && eval_bool(ir, n.a, Env{env.cart, &item, env.facts})) {
          sum = saturating_add(sum, n.op == Op::kQuantityOf ? item.quantity : item.line_total);
        }
      }
      return sum;
    }
    case Op::kAdd:
      return saturating_add(eval_int(ir, n.a, env), eval_int(ir, n.b, env));
    case Op::kSub:
      return saturating_sub(eval_int(ir, n.a, env), eval_int(ir, n.b, env));
    case Op::kMul:
      return saturating_mul(eval_int(ir, n.a, env), eval_int(ir, n.b, env));
    case Op::kDiv:
      return saturating_div(eval_int(ir, n.a, env), eval_int(ir, n.b, env));
    case Op::kNeg:
      return saturating_sub(0, eval_int(ir, n.a, env));
    case Op::kCount:
      return eval_count_events(ir, n, env);
    default:
      return 0;
  }
}

std::string_view eval_string(const Ir& ir, int index, const Env& env) {
  const Node& n = ir.nodes[static_cast<size_t>(index)];
  switch (n.op) {
    case Op::kStringConst:
      return n.text;
    case Op::kSku:
      return env.item->sku;
    case Op::kProduct:
      return env.item->product;
    case Op::kCategory:
      return env.item->category;
    default:
      return {};
  }
}

}  // namespace promo::rule
