// Fuzzes the rule language: arbitrary text is compiled in every context; what compiles is
// printed, recompiled (the printed text must print identically) and evaluated against a small
// fixed cart. Nothing may crash, and nothing but promo::Error may be thrown.
#include "core/cart.hpp"
#include "core/error.hpp"
#include "core/rule.hpp"

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

// Compiles, round-trips and evaluates one text in one context.
void exercise(std::string_view text, promo::rule::Context context, const promo::Cart& cart) {
  std::shared_ptr<const promo::rule::Program> program;
  try {
    program = promo::rule::compile(text, context, kUsd);
  } catch (const promo::Error&) {
    return;  // rejected with a SQLSTATE: fine
  }
  std::string printed = program->print();
  auto again = promo::rule::compile(printed, context, kUsd);  // must not throw
  if (again->print() != printed) {
    std::fprintf(stderr, "print round trip differs:\n%s\n%s\n", printed.c_str(),
                 again->print().c_str());
    std::abort();
  }
  promo::rule::Facts facts{&cart};
  switch (context) {
    case promo::rule::Context::kCondition:
      if (program->eval_condition(facts) != again->eval_condition(facts)) std::abort();
      if (!program->eval_condition(facts)) {
        (void)program->explain_failure(facts);
        (void)program->missing(facts);
      }
      (void)program->required_keys();
      (void)program->min_subtotal();
      break;
    case promo::rule::Context::kItemCondition:
      for (const auto& item : cart.items) (void)program->matches(item);
      break;
    case promo::rule::Context::kCount:
      if (program->eval_count(facts) != again->eval_count(facts)) std::abort();
      break;
    case promo::rule::Context::kSegment:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const promo::Cart cart = fixed_cart();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto context : {promo::rule::Context::kCondition, promo::rule::Context::kItemCondition,
                       promo::rule::Context::kCount}) {
    exercise(text, context, cart);
  }
  return 0;
}
