// Interval literals; see rule_interval.hpp.
#include "core/rule_interval.hpp"

#include "core/error.hpp"

#include <array>
#include <cctype>
#include <vector>

namespace promo::rule {
namespace {

constexpr const char* kInvalidDatetimeFormat = "22007";
constexpr const char* kIntervalFieldOverflow = "22015";

struct UnitSpec {
  std::string_view singular;
  int64_t micros;
};

constexpr int64_t kSecond = 1'000'000;
constexpr std::array kUnits = {
    UnitSpec{"second", kSecond},
    UnitSpec{"minute", 60 * kSecond},
    UnitSpec{"hour", 3600 * kSecond},
    UnitSpec{"day", 86'400 * kSecond},
    UnitSpec{"week", 7 * 86'400 * kSecond},
};

std::string lower(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The unit named by `word` (singular or plural), or nullptr.
const UnitSpec* find_unit(std::string_view word) {
  std::string name = lower(word);
  for (const UnitSpec& unit : kUnits) {
    if (name == unit.singular || name == std::string(unit.singular) + "s") return &unit;
  }
  return nullptr;
}

bool calendar_unit(std::string_view word) {
  std::string name = lower(word);
  return name == "month" || name == "months" || name == "mon" || name == "mons" || name == "year" ||
         name == "years";
}

// Splits on ASCII whitespace.
std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) out.push_back(text.substr(start, i - start));
  }
  return out;
}

std::string quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out + "'";
}

}  // namespace

int64_t parse_interval(std::string_view text, Position position) {
  auto fail = [&](std::string_view why, const char* sqlstate = kInvalidDatetimeFormat) {
    return Error(sqlstate, quoted(text) + " is not an interval: " + std::string(why) + " at " +
                               to_string(position));
  };
  std::vector<std::string_view> parts = words(text);
  if (parts.empty() || parts.size() % 2 != 0) {
    for (std::string_view part : parts) {
      if (calendar_unit(part)) throw fail("months have no fixed length; use start_of_month()");
    }
    throw fail("expected a number followed by second(s), minute(s), hour(s), day(s) or week(s)");
  }
  __int128 total = 0;
  for (size_t i = 0; i < parts.size(); i += 2) {
    std::string_view number = parts[i];
    std::string_view unit_word = parts[i + 1];
    if (calendar_unit(unit_word)) throw fail("months have no fixed length; use start_of_month()");
    const UnitSpec* unit = find_unit(unit_word);
    bool digits = !number.empty() && number.size() <= 18;
    for (char c : number) digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (!unit || !digits) {
      throw fail("expected a number followed by second(s), minute(s), hour(s), day(s) or week(s)");
    }
    int64_t value = 0;
    for (char c : number) value = value * 10 + (c - '0');
    total += static_cast<__int128>(value) * unit->micros;
    if (total > kMaxIntervalMicros) throw fail("longer than 100000 days", kIntervalFieldOverflow);
  }
  return static_cast<int64_t>(total);
}

std::string format_interval(int64_t micros) {
  if (micros == 0) return "0 seconds";
  std::string out;
  int64_t rest = micros;
  for (size_t i = kUnits.size() - 1; i < kUnits.size(); --i) {
    const UnitSpec& unit = kUnits[i];
    if (unit.singular == "week") continue;  // weeks print as days: '10 days', not '1 week 3 days'
    int64_t count = rest / unit.micros;
    rest %= unit.micros;
    if (count == 0) continue;
    if (!out.empty()) out += ' ';
    out += std::to_string(count) + ' ' + std::string(unit.singular) + (count == 1 ? "" : "s");
  }
  // `rest` is 0: literals are whole seconds, and so are their sums.
  return out;
}

}  // namespace promo::rule
