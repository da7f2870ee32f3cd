// Interval literals of the rule language: string literals read as lengths of time where an
// interval is expected ('2 days', '1 day 12 hours', '90 minutes', '1 week', '30 seconds').
#pragma once
#include "core/cpp_only.hpp"
#include "core/rule_lexer.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace promo::rule {

// The longest interval a rule may use (literal or folded sum): 100,000 days, so that sums of
// intervals never overflow and every shift of a finite time stays far from the int64 limits
// in any sensible use.
inline constexpr int64_t kMaxIntervalMicros = 100'000LL * 86'400 * 1'000'000;

// Parses `text` (the literal's value) as one or more "<integer> <unit>" parts; units second(s),
// minute(s), hour(s), day(s) (24 hours), week(s), case-insensitive. Throws promo::Error 22007:
// "'2 dayz' is not an interval: expected a number followed by second(s), minute(s), hour(s),
// day(s) or week(s) at 1:30", and for months/years "... months have no fixed length; use
// start_of_month() at L:C"; 22015 when longer than kMaxIntervalMicros.
int64_t parse_interval(std::string_view text, Position position);

// Canonical text of a non-negative interval, largest unit first, zero parts left out:
// 172800000000 -> "2 days", 129600000000 -> "1 day 12 hours", 0 -> "0 seconds". Sub-second
// remainders cannot arise (literals are whole seconds). Weeks print as days.
std::string format_interval(int64_t micros);

}  // namespace promo::rule
