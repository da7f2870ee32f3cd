// Customer side / cart side split of conditions (Program::customer_holds, cart_needs) and the
// qualifications engine: which promotions a customer can get with or without a cart, what the
// cart still needs, limits and codes, and the order.
#include "core/engine.hpp"
#include "core/qualifications.hpp"
#include "core/rule.hpp"
#include "core/segments.hpp"

#include <gtest/gtest.h>

namespace promo {
namespace {

struct Line {
  std::string sku;
  int64_t quantity;
  int64_t unit_price;
};

// A cart built by hand (no decoder).
Cart make_cart(const std::vector<Line>& lines, const char* currency = "USD") {
  Cart cart;
  cart.currency = find_currency(currency);
  for (const Line& line : lines) {
    CartItem item;
    item.sku = line.sku;
    item.quantity = line.quantity;
    item.unit_price = line.unit_price;
    item.line_total = line.quantity * line.unit_price;
    cart.subtotal += item.line_total;
    cart.total_quantity += item.quantity;
    cart.items.push_back(item);
  }
  return cart;
}

// Segments 'vip' (id 0) and 'abandoned-cart' (id 1) with fixed definitions; membership is set
// by hand.
std::shared_ptr<const SegmentSet> two_segments() {
  return std::make_shared<const SegmentSet>(std::vector<SegmentDefinition>{
      {"vip", "count('order_placed') >= 10"}, {"abandoned-cart", "count('cart_abandoned') >= 1"}});
}

struct Shopper {
  IntervalMembership membership;
  rule::Facts facts() const {
    rule::Facts f;
    f.segments = &membership;
    f.now = 1000;
    return f;
  }
};

Shopper member_of(std::vector<uint32_t> ids) {
  Shopper shopper;
  for (uint32_t id : ids) shopper.membership.set(id, {Interval{kMinusInfinity, kPlusInfinity}});
  return shopper;
}

std::shared_ptr<const rule::Program> condition(std::string_view text) {
  static auto segments = two_segments();
  rule::Environment environment;
  environment.currency = find_currency("USD");
  environment.resolve_segment = [](std::string_view name) { return segments->find(name); };
  return rule::compile(text, rule::Context::kCondition, environment);
}

std::vector<std::string> texts(const std::vector<rule::Need>& needs) {
  std::vector<std::string> out;
  for (const rule::Need& need : needs) out.push_back(need.text);
  return out;
}

using Texts = std::vector<std::string>;

TEST(ConditionSplit, CartOnlyConditionHoldsForEveryoneAndNeedsItsPartsWithoutACart) {
  auto program = condition("subtotal >= 50.00");
  Shopper guest;
  EXPECT_TRUE(program->customer_holds(guest.facts()));
  EXPECT_EQ(texts(program->cart_needs(guest.facts())), Texts{"subtotal >= 50.00"});
  Cart cart = make_cart({{"A", 1, 2500}});
  rule::Facts with_cart = guest.facts();
  with_cart.cart = &cart;
  EXPECT_EQ(texts(program->cart_needs(with_cart)), Texts{"subtotal 2500 short"});
  Cart enough = make_cart({{"A", 2, 2500}});
  with_cart.cart = &enough;
  EXPECT_EQ(texts(program->cart_needs(with_cart)), Texts{});
}

TEST(ConditionSplit, SegmentAndCartNeedsTheSegmentThenTheCartPart) {
  auto program = condition("in_segment('abandoned-cart') and subtotal >= 30.00");
  EXPECT_FALSE(program->customer_holds(Shopper{}.facts()));
  Shopper member = member_of({1});
  EXPECT_TRUE(program->customer_holds(member.facts()));
  EXPECT_EQ(texts(program->cart_needs(member.facts())), Texts{"subtotal >= 30.00"});
}

TEST(ConditionSplit, MixedOrNeedsNothingWhenTheCustomerAlternativeHolds) {
  auto program = condition("in_segment('vip') or subtotal >= 100.00");
  Shopper vip = member_of({0});
  Shopper other;
  EXPECT_TRUE(program->customer_holds(vip.facts()));
  EXPECT_TRUE(program->customer_holds(other.facts()));
  EXPECT_EQ(texts(program->cart_needs(vip.facts())), Texts{});
  EXPECT_EQ(texts(program->cart_needs(other.facts())), Texts{"subtotal >= 100.00"});
  Cart cart = make_cart({{"A", 1, 4000}});
  rule::Facts with_cart = other.facts();
  with_cart.cart = &cart;
  EXPECT_EQ(texts(program->cart_needs(with_cart)), Texts{"subtotal 6000 short"});
}

TEST(ConditionSplit, NestedOrOfCartPartsIsOneNeed) {
  auto program =
      condition("has(sku = 'HP-PRO') and (has(unit_price >= 60.00) or has(sku = 'KEYBOARD'))");
  Shopper guest;
  EXPECT_EQ(texts(program->cart_needs(guest.facts())),
            (Texts{"has(sku = 'HP-PRO')", "has(unit_price >= 60.00) or has(sku = 'KEYBOARD')"}));
  Cart cart = make_cart({{"HP-PRO", 1, 9900}});
  rule::Facts with_cart = guest.facts();
  with_cart.cart = &cart;
  // The HP-PRO line itself costs >= 60.00, so the `or` is met too.
  EXPECT_EQ(texts(program->cart_needs(with_cart)), Texts{});
  Cart cheap = make_cart({{"HP-PRO", 1, 3000}});
  with_cart.cart = &cheap;
  EXPECT_EQ(texts(program->cart_needs(with_cart)),
            Texts{"add an item matching unit_price >= 60.00 or add an item matching sku = "
                  "'KEYBOARD'"});
}

TEST(ConditionSplit, NotOfACustomerPartAndNotOfACartPart) {
  auto program = condition("not in_segment('vip') and not has(sku = 'GIFT')");
  EXPECT_FALSE(program->customer_holds(member_of({0}).facts()));
  Shopper other;
  EXPECT_TRUE(program->customer_holds(other.facts()));
  EXPECT_EQ(texts(program->cart_needs(other.facts())), Texts{"not has(sku = 'GIFT')"});
  auto either = condition("not (in_segment('vip') and subtotal >= 10.00)");
  EXPECT_TRUE(either->customer_holds(member_of({0}).facts()));
  EXPECT_EQ(texts(either->cart_needs(other.facts())), Texts{});
}

// Engine level.
PromotionDefinition promotion(std::string name, std::vector<TierDefinition> tiers,
                              const char* currency = "USD") {
  static int64_t sequence = 0;
  PromotionDefinition p;
  p.name = std::move(name);
  p.currency = currency;
  p.sequence = ++sequence;
  p.tiers = std::move(tiers);
  return p;
}

std::vector<std::string> names(const std::vector<Qualification>& found) {
  std::vector<std::string> out;
  for (const Qualification& q : found) out.push_back(q.promotion);
  return out;
}

TEST(Qualifications, SegmentGatedPromotionsOnlyForMembersSortedPercentFirst) {
  std::vector<PromotionDefinition> definitions{
      promotion("come-back-10",
                {{"$10 off", "in_segment('abandoned-cart')", R"({"amount_off": 1000})"}}),
      promotion("vip-5", {{"5%", "in_segment('vip')", R"({"percent_off": 5})"}}),
      promotion("spend-more", {{"$5 off", "subtotal >= 50.00", R"({"amount_off": 500})"},
                               {"$15 off", "subtotal >= 100.00", R"({"amount_off": 1500})"}}),
      promotion("euro", {{"2 EUR", "subtotal >= 10.00", R"({"amount_off": 200})"}}, "EUR")};
  RuleSet rules(definitions, two_segments());
  Shopper member = member_of({1});
  QualifyOptions options;
  options.at = 1000;
  options.segments = &member.membership;
  auto found = qualifications(rules, options);
  ASSERT_EQ(names(found), (Texts{"spend-more", "come-back-10", "euro"}));
  EXPECT_EQ(found[0].tiers.size(), 2u);
  EXPECT_EQ(found[0].tiers[found[0].best].tier, "$15 off");
  EXPECT_EQ(found[0].tiers[found[0].best].needs, Texts{"subtotal >= 100.00"});
  EXPECT_EQ(found[1].tiers[0].needs, Texts{});
  EXPECT_EQ(found[2].currency->code, "EUR");

  // With a cart of 60.00: only USD promotions, ranked by the discount on this cart.
  Cart cart = make_cart({{"A", 1, 6000}});
  options.cart = &cart;
  found = qualifications(rules, options);
  ASSERT_EQ(names(found), (Texts{"spend-more", "come-back-10"}));
  EXPECT_EQ(found[0].tiers[0].estimate, 500);
  EXPECT_EQ(found[0].tiers[1].estimate, 1500);
  EXPECT_EQ(found[0].tiers[1].needs, Texts{"subtotal 4000 short"});
}

TEST(Qualifications, LimitsAndCodesLeavePromotionsOut) {
  PromotionDefinition coded = promotion("coded", {{"20%", "true", R"({"percent_off": 20})"}});
  coded.requires_code = true;
  std::vector<PromotionDefinition> definitions{
      promotion("come-back-10",
                {{"$10 off", "in_segment('abandoned-cart')", R"({"amount_off": 1000})"}}),
      coded};
  RuleSet rules(definitions, two_segments());
  Shopper member = member_of({1});
  QualifyOptions options;
  options.at = 1000;
  options.segments = &member.membership;
  EXPECT_EQ(names(qualifications(rules, options)), Texts{"come-back-10"});

  RedemptionGates gates;
  gates.promotions["come-back-10"] =
      PromotionGate{"limit_reached", "limit of 1 per customer reached", {}};
  options.gates = &gates;
  std::map<std::string, std::string, std::less<>> codes{{"coded", "ABCD2345"}};
  options.codes = &codes;
  auto found = qualifications(rules, options);
  ASSERT_EQ(names(found), Texts{"coded"});
  EXPECT_EQ(found[0].code, "ABCD2345");
}

TEST(Qualifications, OnlyInsideTheTimeWindow) {
  PromotionDefinition later = promotion("later", {{"t", "true", R"({"amount_off": 100})"}});
  later.starts_at = 2000;
  RuleSet rules({later}, two_segments());
  QualifyOptions options;
  options.at = 1999;
  EXPECT_TRUE(qualifications(rules, options).empty());
  options.at = 2000;
  EXPECT_EQ(names(qualifications(rules, options)), Texts{"later"});
}

}  // namespace
}  // namespace promo
