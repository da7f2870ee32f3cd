// The compiled form of a rule: a typed, flattened tree. Nodes live in one vector and refer to
// their operands by index; every name is resolved to an opcode, money literals are already in
// minor units and `in` lists are pre-sorted, so evaluation never looks at text again.
#pragma once
#include "core/cpp_only.hpp"
#include "core/decimal.hpp"
#include "core/money.hpp"
#include "core/rule.hpp"
#include "core/rule_lexer.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace promo::rule {

// Static type of an expression. kNumber is an exact decimal literal compared with an attribute.
// kTime is µs since the Unix epoch (kMinusInfinity for last() of no event), or null (an unknown
// signed_up_at); kInterval is a length of time in µs, written as a string literal ('2 days').
enum class Type : uint8_t {
  kBool,
  kInteger,
  kMoney,
  kString,
  kAttribute,
  kNumber,
  kTime,
  kInterval
};

// "boolean", "integer", "money", "string", "attribute", "number", "time", "interval": as used in
// error messages.
const char* type_name(Type type);

enum class Op : uint8_t {
  // Constants (no operands).
  kBoolConst,    // value: 0 or 1
  kIntConst,     // value
  kMoneyConst,   // value in minor units
  kStringConst,  // text
  kNumberConst,  // number (compared with an attribute)
  // Cart-level values.
  kSubtotal,
  kCartQuantity,  // all units in the cart
  kHas,           // a: item condition
  kQuantityOf,    // a: item condition; sum of matching quantities
  kAmountOf,      // a: item condition; sum of matching line totals
  // Item-level values.
  kSku,
  kProduct,
  kCategory,
  kUnitPrice,
  kLineQuantity,
  kAttribute,  // text: the key
  // Customer-level values (kCondition and kSegment), read from Facts.
  kInSegment,          // text: segment name (for messages and printing); value: segment id
  kCustomerAttribute,  // text: the key of promo.customers.attributes
  kSignedUpAt,         // time or null
  kCount,              // integer; text: event type; window: kAll/kSince (a: time)/kWithin (value)
  kLast,               // time; text: event type
  kNow,                // time
  kStartOfDay,         // time: calendar start of the day/week/month containing now
  kStartOfWeek,
  kStartOfMonth,
  kTimeShift,  // time: a + value µs (value may be negative); infinite and null stay as they are
  // Logic.
  kAnd,  // list: 2 or more operands
  kOr,   // list: 2 or more operands
  kNot,  // a
  // Integer and money arithmetic (a, b), saturating.
  kAdd,
  kSub,
  kMul,
  kDiv,
  kNeg,  // a
  // Comparisons.
  kCompare,  // a cmp b; how the operands compare is `compare_as`
  kIn,       // a [not] in list; the pre-sorted sets below hold the list's values
};

enum class Cmp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

// " = ", "<>", ...: the canonical spelling.
const char* cmp_text(Cmp cmp);

// How a comparison reads its operands.
enum class CompareAs : uint8_t { kInteger, kString, kBool, kDynamic, kTime };

// Which events count() counts: all up to now, those since a time, or those within an interval.
enum class Window : uint8_t { kAll, kSince, kWithin };

struct Node {
  Op op = Op::kBoolConst;
  Type type = Type::kBool;
  Cmp cmp = Cmp::kEq;
  CompareAs compare_as = CompareAs::kInteger;
  bool negated = false;  // `not in`
  Window window = Window::kAll;
  bool constant = false;  // depends on no cart, item or customer value
  int a = -1;
  int b = -1;
  std::vector<int> list;  // and/or operands; `in` list items in written order (for printing)
  int64_t value = 0;
  Decimal number;
  std::string text;
  Position position;
  // `in` lists, sorted for binary search.
  std::vector<std::string> string_set;
  std::vector<int64_t> int_set;
  std::vector<Decimal> number_set;  // sorted by value
  bool set_has_true = false;
  bool set_has_false = false;
};

struct Ir {
  std::vector<Node> nodes;
  int root = -1;
  Context context = Context::kCondition;
  Currency currency{"", 0};
};

}  // namespace promo::rule
