// Fuzzes the rule language: arbitrary text is compiled in every context; what compiles is
// printed, recompiled (the printed text must print identically) and evaluated against a small
// fixed cart and a small customer (history, sign-up, attributes, one segment, a DST calendar).
// Segment definitions are also checked to be constant between their critical instants. Nothing
// may crash, and nothing but promo::Error may be thrown.
#include "core/calendar.hpp"
#include "core/cart.hpp"
#include "core/customer.hpp"
#include "core/error.hpp"
#include "core/rule.hpp"

#include <algorithm>
#include <vector>

#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

namespace {

const promo::Currency kUsd{"USD", 2};

// Two lines, one with attributes of every kind.
promo::Cart fixed_cart() {
  promo::Cart cart;
  cart.currency = &kUsd;
  promo::CartItem socks;
  socks.sku = "SOCKS";
  socks.category = "apparel";
  socks.quantity = 2;
  socks.unit_price = 500;
  socks.line_total = 1000;
  promo::CartItem keyboard;
  keyboard.sku = "KB";
  keyboard.product = "keyboard";
  keyboard.category = "tech";
  keyboard.quantity = 1;
  keyboard.unit_price = 2000;
  keyboard.line_total = 2000;
  promo::AttributeValue color;
  color.kind = promo::AttributeValue::Kind::kString;
  color.text = "black";
  promo::AttributeValue gift;
  gift.kind = promo::AttributeValue::Kind::kBool;
  gift.boolean = true;
  promo::AttributeValue size;
  size.kind = promo::AttributeValue::Kind::kNumber;
  size.number = promo::Decimal{105, 1};
  keyboard.attributes = {{"color", color}, {"gift", gift}, {"none", {}}, {"size", size}};
  cart.items = {socks, keyboard};
  cart.subtotal = 3000;
  cart.total_quantity = 3;
  return cart;
}

constexpr int64_t kDay = promo::kMicrosPerDay;
constexpr int64_t kNov2026 = 1'793'491'200'000'000;  // 2026-11-01 00:00 UTC

// Two event types, a known sign-up and a country.
promo::CustomerFacts fixed_customer() {
  promo::CustomerFacts customer;
  customer.customer_id = "alice";
  customer.signed_up_at = kNov2026 + 3 * kDay;
  customer.events = {{"cart_abandoned", {kNov2026 + kDay, kNov2026 + 10 * kDay}},
                     {"order_placed", {kNov2026 + 5 * kDay, kNov2026 + 5 * kDay}}};
  promo::AttributeValue country;
  country.kind = promo::AttributeValue::Kind::kString;
  country.text = "PL";
  customer.attributes = {{"country", country}};
  return customer;
}

// Segment 0 ("vip") holds on one interval.
class OneInterval final : public promo::SegmentMembership {
 public:
  bool contains(uint32_t id, int64_t t) const override {
    return id == 0 && kNov2026 <= t && t < kNov2026 + 7 * kDay;
  }
  void boundaries(uint32_t id, std::vector<int64_t>& out) const override {
    if (id != 0) return;
    out.push_back(kNov2026);
    out.push_back(kNov2026 + 7 * kDay);
  }
};

promo::rule::Environment environment(bool with_currency) {
  promo::rule::Environment env;
  if (with_currency) env.currency = &kUsd;
  env.resolve_segment = [](std::string_view name) -> std::optional<uint32_t> {
    if (name == "vip") return 0;
    return std::nullopt;
  };
  return env;
}

// The value must not change between consecutive critical instants.
void check_critical_times(const promo::rule::Program& program, promo::rule::Facts facts) {
  std::vector<int64_t> critical;
  program.critical_times(facts, critical);
  std::sort(critical.begin(), critical.end());
  critical.erase(std::unique(critical.begin(), critical.end()), critical.end());
  if (critical.size() > 64) critical.resize(64);
  for (size_t i = 0; i + 1 < critical.size(); ++i) {
    facts.now = critical[i];
    bool start = program.eval_condition(facts);
    auto middle = static_cast<int64_t>(critical[i] +
                                       (static_cast<__int128>(critical[i + 1]) - critical[i]) / 2);
    for (int64_t t : {critical[i + 1] - 1, middle}) {
      facts.now = t;
      if (program.eval_condition(facts) != start) {
        std::fprintf(stderr, "value changes between critical instants: %s\n",
                     program.print().c_str());
        std::abort();
      }
    }
  }
}

// Compiles, round-trips and evaluates one text in one context.
void exercise(std::string_view text, promo::rule::Context context, const promo::Cart& cart) {
  static const promo::CustomerFacts customer = fixed_customer();
  static const OneInterval membership;
  static const promo::Calendar warsaw("Europe/Warsaw",
                                      {{promo::kMinusInfinity, 3600}, {kNov2026 + 2 * kDay, 7200}});
  const auto env = environment(context != promo::rule::Context::kSegment);
  std::shared_ptr<const promo::rule::Program> program;
  try {
    program = promo::rule::compile(text, context, env);
  } catch (const promo::Error&) {
    return;  // rejected with a SQLSTATE: fine
  }
  std::string printed = program->print();
  auto again = promo::rule::compile(printed, context, env);  // must not throw
  if (again->print() != printed) {
    std::fprintf(stderr, "print round trip differs:\n%s\n%s\n", printed.c_str(),
                 again->print().c_str());
    std::abort();
  }
  promo::rule::Facts facts{&cart, &customer, &membership, &warsaw, kNov2026 + 12 * kDay};
  switch (context) {
    case promo::rule::Context::kCondition:
      if (program->eval_condition(facts) != again->eval_condition(facts)) std::abort();
      if (!program->eval_condition(facts)) {
        (void)program->explain(facts);
        (void)program->missing(facts);
      }
      (void)program->dependencies();
      check_critical_times(*program, facts);
      (void)program->required_keys();
      (void)program->min_subtotal();
      break;
    case promo::rule::Context::kItemCondition:
      for (const auto& item : cart.items) (void)program->matches(item);
      break;
    case promo::rule::Context::kCount:
      if (program->eval_count(facts) != again->eval_count(facts)) std::abort();
      break;
    case promo::rule::Context::kSegment: {
      facts.cart = nullptr;
      if (program->eval_condition(facts) != again->eval_condition(facts)) std::abort();
      if (!program->eval_condition(facts)) (void)program->explain(facts);
      (void)program->dependencies();
      check_critical_times(*program, facts);
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const promo::Cart cart = fixed_cart();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto context : {promo::rule::Context::kCondition, promo::rule::Context::kItemCondition,
                       promo::rule::Context::kCount, promo::rule::Context::kSegment}) {
    exercise(text, context, cart);
  }
  return 0;
}
