// compile(): parse, check and wrap the compiled form in a Program; see rule.hpp.
#include "core/rule.hpp"

#include "core/rule_checker.hpp"
#include "core/rule_eval.hpp"
#include "core/rule_explain.hpp"
#include "core/rule_index.hpp"
#include "core/rule_parser.hpp"
#include "core/rule_printer.hpp"
#include "core/rule_split.hpp"
#include "core/rule_time.hpp"

namespace promo::rule {
namespace {

class CompiledProgram final : public Program {
 public:
  explicit CompiledProgram(Ir ir)
      : ir_(std::move(ir)),
        keys_(rule::required_keys(ir_)),
        min_subtotal_(rule::min_subtotal(ir_)),
        dependencies_(collect_dependencies(ir_)),
        text_(rule::print(ir_, ir_.root)) {}

  Context context() const override { return ir_.context; }

  bool eval_condition(const Facts& facts) const override {
    return eval_bool(ir_, ir_.root, env_of(facts));
  }

  bool matches(const CartItem& item) const override {
    require(Context::kItemCondition);
    return eval_bool(ir_, ir_.root, Env{nullptr, &item});
  }

  int64_t eval_count(const Facts& facts) const override {
    return eval_int(ir_, ir_.root, Env{&cart_of(facts, Context::kCount), nullptr, &facts});
  }

  // Also answers for segment definitions (no cart), which helps support tools.
  std::string explain_failure(const Facts& facts) const override { return explain(facts).text; }

  Explanation explain(const Facts& facts) const override {
    env_of(facts);  // checks the context and, for conditions, the cart
    return rule::explain(ir_, facts);
  }

  std::optional<std::vector<Need>> missing(const Facts& facts) const override {
    cart_of(facts, Context::kCondition);
    return rule::missing(ir_, facts);
  }

  bool customer_holds(const Facts& facts) const override {
    require(Context::kCondition);
    return eval_customer_side(ir_, ir_.root, facts) != Truth::kFalse;
  }

  std::vector<Need> cart_needs(const Facts& facts) const override {
    require(Context::kCondition);
    return rule::cart_needs(ir_, facts);
  }

  const Dependencies& dependencies() const override { return dependencies_; }

  void critical_times(const Facts& facts, std::vector<int64_t>& out) const override {
    env_of(facts);
    rule::critical_times(ir_, facts, out);
  }

  const KeyRequirement& required_keys() const override { return keys_; }
  int64_t min_subtotal() const override { return min_subtotal_; }
  std::string print() const override { return text_; }

 private:
  // Calling a method meant for another kind of rule is a programming error in the engine.
  void require(Context expected) const {
    if (ir_.context != expected) {
      throw Error(sqlstate::kInternalError, "rule program used in the wrong context");
    }
  }

  void require_boolean_rule() const {
    if (ir_.context != Context::kCondition && ir_.context != Context::kSegment) {
      throw Error(sqlstate::kInternalError, "rule program used in the wrong context");
    }
  }

  const Cart& cart_of(const Facts& facts, Context expected) const {
    require(expected);
    if (facts.cart == nullptr)
      throw Error(sqlstate::kInternalError, "rule evaluated without a cart");
    return *facts.cart;
  }

  // kCondition reads the cart; kSegment has none. Both read the customer-side facts.
  Env env_of(const Facts& facts) const {
    require_boolean_rule();
    if (ir_.context == Context::kCondition) {
      return Env{&cart_of(facts, Context::kCondition), nullptr, &facts};
    }
    return Env{nullptr, nullptr, &facts};
  }

  Ir ir_;
  KeyRequirement keys_;
  int64_t min_subtotal_;
  Dependencies dependencies_;
  std::string text_;
};

}  // namespace

std::shared_ptr<const Program> compile(std::string_view text, Context context,
                                       const Environment& environment) {
  if (context != Context::kSegment && environment.currency == nullptr) {
    throw Error(sqlstate::kInternalError, "rule compiled without a currency");
  }
  auto ast = parse(text);
  return std::make_shared<CompiledProgram>(check(*ast, context, environment));
}

std::shared_ptr<const Program> compile(std::string_view text, Context context,
                                       const Currency& currency) {
  Environment environment;
  environment.currency = &currency;
  return compile(text, context, environment);
}

}  // namespace promo::rule
