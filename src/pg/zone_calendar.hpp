// The calendar rules use for start_of_day/week/month(): the time zone named by the setting
// promo.timezone (default 'UTC', any PostgreSQL time zone name), with its UTC-offset history
// taken from PostgreSQL's own tz data and cached per zone for the life of the backend.
#pragma once

#include "core/calendar.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Defines the setting promo.timezone. Called once from _PG_init.
void define_timezone_setting();

// The calendar of the zone promo.timezone names now. Throws promo::Error / PgError.
std::shared_ptr<const promo::Calendar> current_calendar();

}  // namespace promo::pg
