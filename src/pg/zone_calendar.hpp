// The calendar rules use for start_of_day/week/month(): the time zone of the database,
// promo.settings.timezone (default 'UTC', any PostgreSQL time zone name, changed only through
// promo.set_timezone()), with its UTC-offset history taken from PostgreSQL's own tz data and
// cached per zone for the life of the backend. The zone name itself is cached like the segment
// definitions: re-read after a relcache invalidation of promo.settings (sent by
// promo.set_timezone()) or an abort that may have cached an uncommitted zone. One zone for
// every session, so maintenance, verify_segments() and evaluate_cart always agree.
#pragma once

#include "core/calendar.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Reserves the "promo." setting prefix (there is no promo.timezone setting). Called once from
// _PG_init.
void define_timezone_setting();

// `name` if it names a time zone PostgreSQL knows and accepts (no leap seconds), else nullopt.
// Throws PgError.
std::optional<std::string> check_zone_name(const std::string& name);

// The database's zone name (promo.settings.timezone), read like catalog data (latest committed
// value plus this transaction's own change). Throws PgError.
std::string current_zone_name();

// The calendar of the database's zone. Throws promo::Error / PgError.
std::shared_ptr<const promo::Calendar> current_calendar();

// Cache hooks, called from the segment cache's hooks (segment_cache.hpp).
void note_zone_invalidation(Oid relid) noexcept;
void mark_zone_stale() noexcept;
void note_zone_transaction_committed() noexcept;
void note_zone_transaction_aborted() noexcept;
void note_zone_subtransaction_aborted() noexcept;

}  // namespace promo::pg
