// Redemption gates at the engine level: per-customer and total limits, budgets (the partial last
// discount), code normalisation and statuses, requires_code promotions and unknown codes.
#include "core/engine.hpp"
#include "core/redemption.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace promo {
namespace {

// Two lines: A 3 x 10.00, B 1 x 20.00 (subtotal 50.00 USD).
Cart two_line_cart(std::vector<std::string> codes = {}) {
  Cart cart;
  cart.currency = find_currency("USD");
  for (auto [sku, quantity, price] : {std::tuple{"A", 3, 1000}, std::tuple{"B", 1, 2000}}) {
    CartItem item;
    item.sku = sku;
    item.quantity = quantity;
    item.unit_price = price;
    item.line_total = quantity * price;
    cart.subtotal += item.line_total;
    cart.total_quantity += quantity;
    cart.items.push_back(item);
  }
  cart.codes = std::move(codes);
  return cart;
}

PromotionDefinition promotion(const std::string& name, const std::string& discount,
                              int64_t sequence) {
  PromotionDefinition definition;
  definition.name = name;
  definition.currency = "USD";
  definition.sequence = sequence;
  definition.tiers.push_back(TierDefinition{"all", "true", discount});
  return definition;
}

TEST(RedemptionCodes, NormalisationTrimsAndUpperCases) {
  EXPECT_EQ(normalize_code("  cb-7k2m\t"), "CB-7K2M");
  EXPECT_EQ(normalize_code("ABC"), "ABC");
  EXPECT_EQ(normalize_code("   "), "");
  EXPECT_EQ(normalize_codes({"x1", " X1 ", "", "y"}), (std::vector<std::string>{"X1", "Y"}));
}

TEST(RedemptionCodes, StatusForCustomers) {
  CodeRow coupon{"C", "p", std::nullopt, std::nullopt, false, 1, 0};
  EXPECT_EQ(code_status(coupon, std::string("alice")), CodeStatus::kValid);
  coupon.uses = 1;
  EXPECT_EQ(code_status(coupon, std::string("alice")), CodeStatus::kUsedUp);
  CodeRow assigned{"D", "p", std::string("bob"), std::nullopt, false, std::nullopt, 5};
  EXPECT_EQ(code_status(assigned, std::string("alice")), CodeStatus::kNotYours);
  EXPECT_EQ(code_status(assigned, std::nullopt), CodeStatus::kNotYours);
  EXPECT_EQ(code_status(assigned, std::string("bob")), CodeStatus::kValid);
  CodeRow referral{"R", "p", std::nullopt, std::string("alice"), true, std::nullopt, 7};
  EXPECT_EQ(code_status(referral, std::string("alice")), CodeStatus::kOwnReferral);
  EXPECT_EQ(code_status(referral, std::string("carol")), CodeStatus::kValid);
}

TEST(RedemptionGates, LimitGateReasons) {
  PromotionLimits limits{"p", find_currency("USD"), 1, 100, 50000, false};
  EXPECT_EQ(limit_gate(limits, {1, 0, 0}, true).blocked_reason, "limit of 1 per customer reached");
  EXPECT_TRUE(limit_gate(limits, {1, 0, 0}, false).blocked_code.empty());  // guests
  EXPECT_EQ(limit_gate(limits, {0, 100, 0}, true).blocked_reason, "total limit of 100 reached");
  PromotionGate spent = limit_gate(limits, {0, 5, 50000}, true);
  EXPECT_EQ(spent.blocked_code, "budget_exhausted");
  EXPECT_EQ(spent.blocked_reason, "budget of 500.00 USD exhausted");
  PromotionGate partial = limit_gate(limits, {0, 5, 49001}, true);
  EXPECT_TRUE(partial.blocked_code.empty());
  EXPECT_EQ(partial.cap, 999);
}

TEST(RedemptionGates, CapReallocatesByLargestRemainder) {
  std::vector<int64_t> lines{300, 300, 400};
  EXPECT_EQ(cap_discount(lines, 1000, 1001), 1000);
  EXPECT_EQ(cap_discount(lines, 1000, 500), 500);
  EXPECT_EQ(lines, (std::vector<int64_t>{150, 150, 200}));
  std::vector<int64_t> odd{1, 1, 1};
  EXPECT_EQ(cap_discount(odd, 3, 2), 2);
  EXPECT_EQ(odd, (std::vector<int64_t>{1, 1, 0}));  // ties: lower index first
}

TEST(RedemptionEngine, BlockedPromotionIsExplainedAndLaterOnesStillApply) {
  RuleSet rules({promotion("once", R"({"amount_off": 1000})", 1),
                 promotion("ten", R"({"percent_off": 10})", 2)});
  RedemptionGates gates;
  gates.promotions["once"] = PromotionGate{"limit_reached", "limit of 1 per customer reached", {}};
  EvalOptions options;
  options.gates = &gates;
  Result result = rules.evaluate(two_line_cart(), options);
  ASSERT_EQ(result.applied.size(), 1u);
  EXPECT_EQ(result.applied[0].promotion, "ten");
  EXPECT_EQ(result.applied[0].discount, 500);
  ASSERT_EQ(result.not_applied.size(), 1u);
  EXPECT_EQ(result.not_applied[0].reason_code, "limit_reached");
  EXPECT_EQ(result.not_applied[0].reason, "limit of 1 per customer reached");
}

TEST(RedemptionEngine, BudgetCapIsReallocatedOverTheLines) {
  RuleSet rules({promotion("half", R"({"percent_off": 50})", 1)});
  RedemptionGates gates;
  gates.promotions["half"] = PromotionGate{"", "", 999};
  EvalOptions options;
  options.gates = &gates;
  Result result = rules.evaluate(two_line_cart(), options);
  ASSERT_EQ(result.applied.size(), 1u);
  // Uncapped: A 1500, B 1000 (2500). Capped at 999: 999*1500/2500 = 599.4, 999*1000/2500 =
  // 399.6 -> floors 599 + 399 = 998, the leftover unit to the larger remainder (B).
  EXPECT_EQ(result.applied[0].discount, 999);
  EXPECT_EQ(result.items[0].discount, 599);
  EXPECT_EQ(result.items[1].discount, 400);
  EXPECT_EQ(result.total, 5000 - 999);
}

TEST(RedemptionEngine, RequiresCodeReasons) {
  PromotionDefinition coupon = promotion("coupon", R"({"amount_off": 700})", 1);
  coupon.requires_code = true;
  RuleSet rules({coupon});
  EvalOptions options;
  Result without = rules.evaluate(two_line_cart(), options);  // no gates at all
  ASSERT_EQ(without.not_applied.size(), 1u);
  EXPECT_EQ(without.not_applied[0].reason_code, "code_required");
  EXPECT_EQ(without.not_applied[0].reason, "needs a code");

  RedemptionGates gates;
  gates.codes.push_back(CartCode{"NOPE", "", CodeStatus::kUnknown, std::nullopt});
  gates.codes.push_back(CartCode{"USED", "coupon", CodeStatus::kUsedUp, std::nullopt});
  options.gates = &gates;
  Result used = rules.evaluate(two_line_cart(), options);
  EXPECT_TRUE(used.applied.empty());
  ASSERT_EQ(used.not_applied.size(), 2u);
  EXPECT_EQ(used.not_applied[0].reason_code, "code_used_up");
  EXPECT_EQ(used.not_applied[0].reason, "code 'USED' is used up");
  EXPECT_EQ(used.not_applied[0].code, "USED");
  EXPECT_EQ(used.not_applied[1].promotion, "");
  EXPECT_EQ(used.not_applied[1].reason_code, "code_invalid");
  EXPECT_EQ(used.not_applied[1].reason, "code 'NOPE' does not exist");

  gates.codes.push_back(CartCode{"GOOD", "coupon", CodeStatus::kValid, std::nullopt});
  Result good = rules.evaluate(two_line_cart(), options);
  ASSERT_EQ(good.applied.size(), 1u);
  EXPECT_EQ(good.applied[0].code, "GOOD");
  EXPECT_EQ(good.applied[0].discount, 700);
  ASSERT_EQ(good.not_applied.size(), 1u);  // only the unknown code
  EXPECT_EQ(good.not_applied[0].reason_code, "code_invalid");
}

TEST(RedemptionEngine, OwnReferralAndInactivePromotionCodes) {
  PromotionDefinition referral = promotion("referral-15", R"({"percent_off": 15})", 1);
  referral.requires_code = true;
  RuleSet rules({referral});
  RedemptionGates gates;
  gates.codes.push_back(CartCode{"REF", "referral-15", CodeStatus::kOwnReferral, "alice"});
  gates.codes.push_back(CartCode{"OLD", "gone", CodeStatus::kValid, std::nullopt});
  EvalOptions options;
  options.gates = &gates;
  Result result = rules.evaluate(two_line_cart(), options);
  ASSERT_EQ(result.not_applied.size(), 2u);
  EXPECT_EQ(result.not_applied[0].reason_code, "code_not_yours");
  EXPECT_EQ(result.not_applied[0].reason, "a referral code cannot be used by its owner");
  EXPECT_EQ(result.not_applied[1].reason_code, "promotion_inactive");
  EXPECT_EQ(result.not_applied[1].reason,
            "code 'OLD' is for promotion 'gone', which is not active");
}

TEST(RedemptionEngine, GatedPromotionsListed) {
  PromotionDefinition limited = promotion("limited", R"({"amount_off": 100})", 1);
  limited.total_limit = 100;
  RuleSet rules({limited, promotion("plain", R"({"amount_off": 100})", 2)});
  ASSERT_EQ(rules.gated_promotions().size(), 1u);
  EXPECT_EQ(rules.gated_promotions()[0].name, "limited");
  EXPECT_EQ(rules.gated_promotions()[0].total_limit, 100);
}

}  // namespace
}  // namespace promo
