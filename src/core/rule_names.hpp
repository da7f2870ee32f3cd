// The names a rule can use: fields and functions, at cart level and at item level. This table is
// where new vocabulary is added: a segment or history function (in_segment, count, last, now)
// becomes one more FunctionSpec with its own Op and a member of Facts it reads.
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule_ir.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace promo::rule {

// Where a name can be used: a cart-level rule (condition, count), an item condition, or a
// customer-level rule (a condition or a segment definition; never an item condition or
// max_units).
enum class Level : uint8_t { kCart, kItem, kCustomer };

struct FieldSpec {
  std::string_view name;
  Level level;
  Type type;
  Op op;
};

// What a function takes: one item condition evaluated per cart line (has, quantity, amount),
// one segment name as a string literal (in_segment), one event type as a string literal
// (count, which also takes `since => <time>` or `within => <interval>`; last), or nothing
// (now, start_of_*). Literal-only arguments keep a rule's dependencies static.
enum class ParamKind : uint8_t { kItemCondition, kSegmentName, kEventType, kNone };

struct FunctionSpec {
  std::string_view name;
  Level level;  // where the call may appear
  Type result;
  Op op;
  ParamKind param;
};

// Field `name` (case-insensitive) at `level`, or nullptr.
const FieldSpec* find_field(std::string_view name, Level level);
// Field `name` at any level (to say "sku is an item field").
const FieldSpec* find_field_anywhere(std::string_view name);
// Function `name` (case-insensitive), or nullptr.
const FunctionSpec* find_function(std::string_view name);

// The known name closest to `name` within edit distance 2, for "did you mean" hints.
std::optional<std::string> closest_name(std::string_view name);

}  // namespace promo::rule
