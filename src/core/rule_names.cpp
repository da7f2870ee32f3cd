// The field and function tables of the rule language; see rule_names.hpp.
#include "core/rule_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace promo::rule {
namespace {

constexpr std::array kFields = {
    FieldSpec{"subtotal", Level::kCart, Type::kMoney, Op::kSubtotal},
    FieldSpec{"quantity", Level::kCart, Type::kInteger, Op::kCartQuantity},
    FieldSpec{"sku", Level::kItem, Type::kString, Op::kSku},
    FieldSpec{"product", Level::kItem, Type::kString, Op::kProduct},
    FieldSpec{"category", Level::kItem, Type::kString, Op::kCategory},
    FieldSpec{"unit_price", Level::kItem, Type::kMoney, Op::kUnitPrice},
    FieldSpec{"quantity", Level::kItem, Type::kInteger, Op::kLineQuantity},
    FieldSpec{"signed_up_at", Level::kCustomer, Type::kTime, Op::kSignedUpAt},
};

constexpr std::array kFunctions = {
    FunctionSpec{"has", Level::kCart, Type::kBool, Op::kHas, ParamKind::kItemCondition},
    FunctionSpec{"quantity", Level::kCart, Type::kInteger, Op::kQuantityOf,
                 ParamKind::kItemCondition},
    FunctionSpec{"amount", Level::kCart, Type::kMoney, Op::kAmountOf, ParamKind::kItemCondition},
    FunctionSpec{"in_segment", Level::kCustomer, Type::kBool, Op::kInSegment,
                 ParamKind::kSegmentName},
    FunctionSpec{"count", Level::kCustomer, Type::kInteger, Op::kCount, ParamKind::kEventType},
    FunctionSpec{"last", Level::kCustomer, Type::kTime, Op::kLast, ParamKind::kEventType},
    FunctionSpec{"now", Level::kCustomer, Type::kTime, Op::kNow, ParamKind::kNone},
    FunctionSpec{"start_of_day", Level::kCustomer, Type::kTime, Op::kStartOfDay, ParamKind::kNone},
    FunctionSpec{"start_of_week", Level::kCustomer, Type::kTime, Op::kStartOfWeek,
                 ParamKind::kNone},
    FunctionSpec{"start_of_month", Level::kCustomer, Type::kTime, Op::kStartOfMonth,
                 ParamKind::kNone},
};

// ASCII case-insensitive equality (names are ASCII identifiers).
bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Levenshtein distance, case-insensitive; names are short so the quadratic table is cheap.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (same ? 0 : 1)});
    }
    std::swap(previous, row);
  }
  return previous[b.size()];
}

}  // namespace

const FieldSpec* find_field(std::string_view name, Level level) {
  for (const auto& field : kFields) {
    if (field.level == level && same_name(field.name, name)) return &field;
  }
  return nullptr;
}

const FieldSpec* find_field_anywhere(std::string_view name) {
  for (const auto& field : kFields) {
    if (same_name(field.name, name)) return &field;
  }
  return nullptr;
}

const FunctionSpec* find_function(std::string_view name) {
  for (const auto& function : kFunctions) {
    if (same_name(function.name, name)) return &function;
  }
  return nullptr;
}

std::optional<std::string> closest_name(std::string_view name) {
  if (name.size() > 64) return std::nullopt;
  std::optional<std::string> best;
  size_t best_distance = 3;
  auto consider = [&](std::string_view candidate) {
    size_t distance = edit_distance(name, candidate);
    if (distance < best_distance) {
      best_distance = distance;
      best = std::string(candidate);
    }
  };
  for (const auto& field : kFields) consider(field.name);
  for (const auto& function : kFunctions) consider(function.name);
  consider("attributes");
  consider("customer");
  return best;
}

}  // namespace promo::rule
