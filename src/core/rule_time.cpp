// Dependencies and critical times of a compiled rule; see rule_time.hpp.
//
// Why the critical set is sufficient. Fix the customer's facts (history, signed_up_at,
// attributes, segment intervals, calendar) and the cart, and look at every node as a function of
// now. We show by induction over the tree that each node is constant between consecutive
// instants of the set S collected below (i.e. on every [t_i, t_{i+1}) and before t_0):
//  - constants, cart values and customer.<key> never change;
//  - last('x') changes only at the event times e of type x (it becomes e at now = e);
//    signed_up_at only at s (null before, s from s on); a time shift by a constant changes
//    only where its operand does. We call these "anchors": they are step functions of now with
//    finitely many steps, taking values in a finite set we can enumerate: {-infinity} plus the
//    event times for last(), {s} (or only null) for signed_up_at, shifted by the constant.
//  - in_segment(id) changes only at the segment's interval bounds (segments->boundaries).
//  - count('x') changes only at each e (an event enters when now reaches it).
//    count('x', within => d) counts e with now - d <= e <= now: e enters at now = e and leaves
//    at the first now with now - d > e (computed exactly below, ~ e + d + 1).
//    count('x', since => T): e enters at e; if T is an anchor, the set only changes where T
//    does (its steps are collected); if T is a clock (see below), e leaves at the first now
//    with T(now) > e, e.g. next_month(e) for start_of_month().
//  - a "clock" is now() or start_of_day/week/month() shifted by a constant: a NON-DECREASING
//    function g of now (the calendar's starts are monotone by construction, shifts saturate
//    monotonically). Comparing a clock with an anchor A: while A holds one value a, `g cmp a`
//    can only change where g crosses a, i.e. at T_ge(a) = min{now : g(now) >= a} and
//    T_gt(a) = min{now : g(now) > a} (for now() + c: a - c and a - c + 1; for start_of_X() + c:
//    the first X boundary at or after a - c). Collecting both for every value a that A can take,
//    plus A's own steps, covers every change.
//  - anchors compared with anchors, integers with integers, and/or/not/in: a combination only
//    changes where one of its operands does, so the union of the operands' sets suffices.
// Two clocks compared with each other (`now() >= start_of_day() + '12 hours'`) can change
// value every day forever; the checker rejects them, so the set above is finite.
#include "core/rule_time.hpp"

#include "core/calendar.hpp"
#include "core/error.hpp"
#include "core/rule_eval.hpp"

#include <algorithm>
#include <optional>

namespace promo::rule {
namespace {

const Node& at(const Ir& ir, int index) {
  return ir.nodes[static_cast<size_t>(index)];
}

int64_t clamp(__int128 value) {
  if (value <= kMinusInfinity) return kMinusInfinity;
  if (value >= kPlusInfinity) return kPlusInfinity;
  return static_cast<int64_t>(value);
}

class CriticalTimes {
 public:
  CriticalTimes(const Ir& ir, const Facts& facts, std::vector<int64_t>& out)
      : ir_(ir), facts_(facts), out_(out) {}

  // Appends the instants at which node `index` may change value.
  void visit(int index) {
    const Node& n = at(ir_, index);
    switch (n.op) {
      case Op::kCompare:
        if (n.compare_as == CompareAs::kTime) {
          compare_times(n);
          return;
        }
        break;
      case Op::kCount:
        count_steps(n);
        return;
      case Op::kLast:
      case Op::kSignedUpAt:
      case Op::kTimeShift:
        for (int64_t step : anchor_steps(index)) out_.push_back(step);
        return;
      case Op::kInSegment:
        if (facts_.segments) facts_.segments->boundaries(static_cast<uint32_t>(n.value), out_);
        return;
      case Op::kNow:
      case Op::kStartOfDay:
      case Op::kStartOfWeek:
      case Op::kStartOfMonth:
        // Clocks only appear compared with anchors or as since => (handled above).
        throw Error(sqlstate::kInternalError, "rule clock outside a comparison");
      case Op::kHas:
      case Op::kQuantityOf:
      case Op::kAmountOf:
        return;  // item conditions read the cart only
      default:
        break;
    }
    if (n.a >= 0) visit(n.a);
    if (n.b >= 0) visit(n.b);
    if (n.op == Op::kAnd || n.op == Op::kOr) {
      for (int operand : n.list) visit(operand);
    }
  }

 private:
  // Steps of an anchor (last(), signed_up_at, shifted).
  std::vector<int64_t> anchor_steps(int index) const {
    const Node& n = at(ir_, index);
    switch (n.op) {
      case Op::kLast:
        if (const std::vector<int64_t>* times = events(n.text)) return *times;
        return {};
      case Op::kSignedUpAt:
        if (facts_.customer && facts_.customer->signed_up_at) {
          return {*facts_.customer->signed_up_at};
        }
        return {};
      case Op::kTimeShift:
        return anchor_steps(n.a);
      default:
        throw Error(sqlstate::kInternalError, "rule anchor of an unexpected kind");
    }
  }

  // Every non-null value an anchor takes over all now.
  std::vector<int64_t> anchor_values(int index) const {
    const Node& n = at(ir_, index);
    switch (n.op) {
      case Op::kLast: {
        std::vector<int64_t> values{kMinusInfinity};
        if (const std::vector<int64_t>* times = events(n.text)) {
          values.insert(values.end(), times->begin(), times->end());
        }
        return values;
      }
      case Op::kSignedUpAt:
        return anchor_steps(index);
      case Op::kTimeShift: {
        std::vector<int64_t> values = anchor_values(n.a);
        for (int64_t& value : values) value = shift_time(value, n.value);
        return values;
      }
      default:
        throw Error(sqlstate::kInternalError, "rule anchor of an unexpected kind");
    }
  }

  const std::vector<int64_t>* events(const std::string& type) const {
    return facts_.customer ? facts_.customer->event_times(type) : nullptr;
  }

  void compare_times(const Node& n) {
    bool left_clock = is_clock(ir_, n.a);
    bool right_clock = is_clock(ir_, n.b);
    if (!left_clock && !right_clock) {
      visit(n.a);
      visit(n.b);
      return;
    }
    int clock = left_clock ? n.a : n.b;
    int anchor = left_clock ? n.b : n.a;
    visit(anchor);
    for (int64_t value : anchor_values(anchor)) crossings(clock, value);
  }

  // T_ge(value) and T_gt(value) of a clock.
  void crossings(int clock, int64_t value) {
    if (auto t = first_at_least(clock, value)) out_.push_back(*t);
    if (value < kPlusInfinity) {
      if (auto t = first_at_least(clock, value + 1)) out_.push_back(*t);
    }
  }

  void count_steps(const Node& n) {
    const std::vector<int64_t>* times = events(n.text);
    if (!times) return;  // always 0
    out_.insert(out_.end(), times->begin(), times->end());
    switch (n.window) {
      case Window::kAll:
        return;
      case Window::kWithin:
        // e leaves when now - d > e: first now with shift_time(now, -d) >= e + 1.
        for (int64_t e : *times) {
          if (e == kPlusInfinity) continue;
          int64_t target = e + 1;
          int64_t guess = clamp(static_cast<__int128>(target) + n.value);
          auto g = [&](int64_t now) { return shift_time(now, -n.value); };
          if (auto t = search(g, target, guess)) out_.push_back(*t);
        }
        return;
      case Window::kSince:
        if (!is_clock(ir_, n.a)) {
          visit(n.a);
          return;
        }
        for (int64_t e : *times) {
          if (e == kPlusInfinity) continue;
          if (auto t = first_at_least(n.a, e + 1)) out_.push_back(*t);
        }
        return;
    }
  }

  // The value of a clock at `now`.
  int64_t clock_at(int clock, int64_t now) const {
    Facts moved = facts_;
    moved.now = now;
    return eval_time(ir_, clock, Env{facts_.cart, nullptr, &moved}).at;
  }

  // min{now : clock(now) >= target}, from a closed-form guess checked exactly.
  std::optional<int64_t> first_at_least(int clock, int64_t target) const {
    const Node& n = at(ir_, clock);
    int64_t shift = n.op == Op::kTimeShift ? n.value : 0;
    Op base = n.op == Op::kTimeShift ? at(ir_, n.a).op : n.op;
    int64_t x = clamp(static_cast<__int128>(target) - shift);
    int64_t guess = x;
    Facts probe = facts_;
    const Calendar& calendar = calendar_of(Env{nullptr, nullptr, &probe});
    switch (base) {
      case Op::kStartOfDay:
        guess = calendar.start_of_day(x) == x ? x : calendar.next_day(x);
        break;
      case Op::kStartOfWeek:
        guess = calendar.start_of_week(x) == x ? x : calendar.next_week(x);
        break;
      case Op::kStartOfMonth:
        guess = calendar.start_of_month(x) == x ? x : calendar.next_month(x);
        break;
      default:
        break;
    }
    return search([&](int64_t now) { return clock_at(clock, now); }, target, guess);
  }

  // min{now : g(now) >= target} for a non-decreasing g: `guess` when it checks out, otherwise
  // a binary search over the whole int64 range; nullopt when g never reaches target.
  template <typename G>
  static std::optional<int64_t> search(G g, int64_t target, int64_t guess) {
    if (g(guess) >= target && (guess == kMinusInfinity || g(guess - 1) < target)) return guess;
    if (g(kPlusInfinity) < target) return std::nullopt;
    if (g(kMinusInfinity) >= target) return kMinusInfinity;
    int64_t lo = kMinusInfinity;  // g(lo) < target
    int64_t hi = kPlusInfinity;   // g(hi) >= target
    while (hi - static_cast<__int128>(lo) > 1) {
      int64_t mid = static_cast<int64_t>((static_cast<__int128>(lo) + hi) / 2);
      if (g(mid) >= target) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return hi;
  }

  const Ir& ir_;
  const Facts& facts_;
  std::vector<int64_t>& out_;
};

}  // namespace

bool is_clock(const Ir& ir, int index) {
  const Node& n = at(ir, index);
  switch (n.op) {
    case Op::kNow:
    case Op::kStartOfDay:
    case Op::kStartOfWeek:
    case Op::kStartOfMonth:
      return true;
    case Op::kTimeShift:
      return is_clock(ir, n.a);
    default:
      return false;
  }
}

Dependencies collect_dependencies(const Ir& ir) {
  Dependencies d;
  for (const Node& n : ir.nodes) {
    switch (n.op) {
      case Op::kSubtotal:
      case Op::kCartQuantity:
      case Op::kHas:
      case Op::kQuantityOf:
      case Op::kAmountOf:
        d.cart = true;
        break;
      case Op::kCount:
        d.event_types.push_back(n.text);
        if (n.window == Window::kWithin) d.time = true;
        break;
      case Op::kLast:
        d.event_types.push_back(n.text);
        break;
      case Op::kInSegment:
        d.segments.push_back(static_cast<uint32_t>(n.value));
        break;
      case Op::kSignedUpAt:
      case Op::kCustomerAttribute:
        d.customer_fields = true;
        break;
      case Op::kNow:
      case Op::kStartOfDay:
      case Op::kStartOfWeek:
      case Op::kStartOfMonth:
        d.time = true;
        break;
      default:
        break;
    }
  }
  std::sort(d.event_types.begin(), d.event_types.end());
  d.event_types.erase(std::unique(d.event_types.begin(), d.event_types.end()), d.event_types.end());
  std::sort(d.segments.begin(), d.segments.end());
  d.segments.erase(std::unique(d.segments.begin(), d.segments.end()), d.segments.end());
  return d;
}

void critical_times(const Ir& ir, const Facts& facts, std::vector<int64_t>& out) {
  CriticalTimes(ir, facts, out).visit(ir.root);
}

}  // namespace promo::rule
