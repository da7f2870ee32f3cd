// Printer for the compiled form; see rule_printer.hpp.
#include "core/rule_printer.hpp"

#include "core/rule_interval.hpp"

namespace promo::rule {
namespace {

// Binding strength, loosest first, matching the parser's grammar levels.
enum Precedence : int {
  kOrLevel = 1,
  kAndLevel,
  kNotLevel,
  kCompareLevel,
  kSumLevel,
  kProductLevel,
  kUnaryLevel,
  kPrimaryLevel,
};

int precedence(const Node& n) {
  switch (n.op) {
    case Op::kOr:
      return kOrLevel;
    case Op::kAnd:
      return kAndLevel;
    case Op::kNot:
      return kNotLevel;
    case Op::kCompare:
    case Op::kIn:
      return kCompareLevel;
    case Op::kAdd:
    case Op::kSub:
    case Op::kTimeShift:
      return kSumLevel;
    case Op::kMul:
    case Op::kDiv:
      return kProductLevel;
    case Op::kNeg:
      return kUnaryLevel;
    case Op::kNumberConst:
      return n.number.mantissa < 0 ? kUnaryLevel : kPrimaryLevel;
    default:
      return kPrimaryLevel;
  }
}

std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

class Printer {
 public:
  explicit Printer(const Ir& ir) : ir_(ir) {}

  // Prints `index`, in parentheses when it binds looser than `minimum`.
  void print(int index, int minimum) {
    const Node& n = ir_.nodes[static_cast<size_t>(index)];
    bool parenthesize = precedence(n) < minimum;
    if (parenthesize) out_ += '(';
    print_bare(n);
    if (parenthesize) out_ += ')';
  }

  std::string take() { return std::move(out_); }

 private:
  void print_binary(const Node& n, const char* op, int left_minimum, int right_minimum) {
    print(n.a, left_minimum);
    out_ += ' ';
    out_ += op;
    out_ += ' ';
    print(n.b, right_minimum);
  }

  void print_call(const char* name, const Node& n) {
    out_ += name;
    out_ += '(';
    print(n.a, kOrLevel);
    out_ += ')';
  }

  void print_bare(const Node& n) {
    switch (n.op) {
      case Op::kBoolConst:
        out_ += n.value ? "true" : "false";
        return;
      case Op::kIntConst:
        out_ += std::to_string(n.value);
        return;
      case Op::kMoneyConst:
        out_ += format_money(n.value, ir_.currency.exponent);
        return;
      case Op::kStringConst:
        out_ += quote(n.text);
        return;
      case Op::kNumberConst:
        out_ += n.number.to_string();
        return;
      case Op::kSubtotal:
        out_ += "subtotal";
        return;
      case Op::kCartQuantity:
      case Op::kLineQuantity:
        out_ += "quantity";
        return;
      case Op::kHas:
        print_call("has", n);
        return;
      case Op::kQuantityOf:
        print_call("quantity", n);
        return;
      case Op::kAmountOf:
        print_call("amount", n);
        return;
      case Op::kSku:
        out_ += "sku";
        return;
      case Op::kProduct:
        out_ += "product";
        return;
      case Op::kCategory:
        out_ += "category";
        return;
      case Op::kUnitPrice:
        out_ += "unit_price";
        return;
      case Op::kAttribute:
        out_ += "attributes." + n.text;
        return;
      case Op::kCustomerAttribute:
        out_ += "customer." + n.text;
        return;
      case Op::kSignedUpAt:
        out_ += "signed_up_at";
        return;
      case Op::kInSegment:
        out_ += "in_segment(" + quote(n.text) + ")";
        return;
      case Op::kLast:
        out_ += "last(" + quote(n.text) + ")";
        return;
      case Op::kCount:
        out_ += "count(" + quote(n.text);
        if (n.window == Window::kSince) {
          out_ += ", since => ";
          print(n.a, kOrLevel);
        } else if (n.window == Window::kWithin) {
          out_ += ", within => " + quote(format_interval(n.value));
        }
        out_ += ')';
        return;
      case Op::kNow:
        out_ += "now()";
        return;
      case Op::kStartOfDay:
        out_ += "start_of_day()";
        return;
      case Op::kStartOfWeek:
        out_ += "start_of_week()";
        return;
      case Op::kStartOfMonth:
        out_ += "start_of_month()";
        return;
      case Op::kTimeShift:
        print(n.a, kSumLevel);
        out_ += n.value < 0 ? " - " : " + ";
        out_ += quote(format_interval(n.value < 0 ? -n.value : n.value));
        return;
      case Op::kAnd:
      case Op::kOr: {
        const char* op = n.op == Op::kAnd ? " and " : " or ";
        int minimum = precedence(n) + 1;
        for (size_t i = 0; i < n.list.size(); ++i) {
          if (i > 0) out_ += op;
          print(n.list[i], minimum);
        }
        return;
      }
      case Op::kNot:
        out_ += "not ";
        print(n.a, kNotLevel);
        return;
      case Op::kAdd:
        print_binary(n, "+", kSumLevel, kSumLevel + 1);
        return;
      case Op::kSub:
        print_binary(n, "-", kSumLevel, kSumLevel + 1);
        return;
      case Op::kMul:
        print_binary(n, "*", kProductLevel, kProductLevel + 1);
        return;
      case Op::kDiv:
        print_binary(n, "/", kProductLevel, kProductLevel + 1);
        return;
      case Op::kNeg:
        out_ += '-';
        print(n.a, kUnaryLevel);
        return;
      case Op::kCompare:
        print_binary(n, cmp_text(n.cmp), kSumLevel, kSumLevel);
        return;
      case Op::kIn:
        print(n.a, kSumLevel);
        out_ += n.negated ? " not in (" : " in (";
        for (size_t i = 0; i < n.list.size(); ++i) {
          if (i > 0) out_ += ", ";
          print(n.list[i], kUnaryLevel);
        }
        out_ += ')';
        return;
    }
  }

  const Ir& ir_;
  std::string out_;
};

}  // namespace

std::string format_money(int64_t minor, int exponent) {
  bool negative = minor < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  std::string digits = std::to_string(magnitude);
  if (exponent > 0) {
    size_t decimals = static_cast<size_t>(exponent);
    if (digits.size() <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
    digits.insert(digits.size() - decimals, ".");
  }
  return negative ? "-" + digits : digits;
}

std::string print(const Ir& ir, int node) {
  Printer printer(ir);
  printer.print(node, kOrLevel);
  return printer.take();
}

}  // namespace promo::rule
