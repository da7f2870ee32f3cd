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

// Where a name can be used: a cart-level rule (condition, count) or an item condition.
enum class Level : uint8_t { kCart, kItem };

struct FieldSpec {
  std::string_view name;
  Level level;
  Type type;
  Op op;
};

// Functions take positional arguments of the given kinds. kItemCondition means an item
// condition evaluated per cart line. Named arguments are parsed but no current function takes
// any; the checker rejects them naming the argument.
enum class ParamKind : uint8_t { kItemCondition };

struct FunctionSpec {
  std::string_view name;
  Level level;  // where the call may appear
  Type result;
  Op op;
  ParamKind param;  // the one positional parameter of the current functions
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
