// Integers <-> PostgreSQL numeric without going through text, for the jsonb cart and result.
//
// PostgreSQL does not export numeric's layout, but it is the on-disk format (stable across
// releases since 9.1, and pg_upgrade relies on it): a 4-byte varlena header, then either the
// short form (one uint16 header: sign, display scale and weight) or the long form (uint16
// sign + display scale, int16 weight), then base-10,000 digits, most significant first, with no
// leading or trailing zero digits. These helpers handle exactly the values that matter here,
// integers of up to 16 decimal digits, and say "not handled" for everything else so that the
// caller falls back to PostgreSQL's own functions.
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Bytes a numeric built by write_small_numeric() may take: header (4) + short header (2) +
// five base-10,000 digits (10), rounded up to keep the next one aligned.
inline constexpr size_t kSmallNumericMaxBytes = 16;

// The value of `number` when it is an integer written without a fractional part (display scale
// 0) and below 10^16 in magnitude; nullopt otherwise (a fraction such as 2.5 or 2.0, NaN,
// infinity, a larger number, an unexpected header). For those values numeric_out would print
// exactly std::to_chars of the result.
std::optional<int64_t> small_numeric_integer(Numeric number) noexcept;

// Writes `value` into `space` (at least kSmallNumericMaxBytes, int-aligned) as the numeric
// int64_to_numeric would return, byte for byte, and returns it. Never allocates or fails.
Numeric write_small_numeric(int64_t value, void* space) noexcept;

}  // namespace promo::pg
