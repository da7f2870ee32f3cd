// Whether a row with a given primary key exists in one of promo's tables, by one index probe
// instead of a statement. promo.redeem asks this, holding the customer's lock, before it writes
// its rows directly (direct_insert.hpp): an existing order is replayed, an existing usage row is
// updated by a statement.
//
// The snapshot is a fresh one after CommandCounterIncrement, as a non-read-only SPI statement's
// under READ COMMITTED (callers use these probes under READ COMMITTED only). The caller's
// SELECT right is not checked: promo's SECURITY DEFINER functions call it for their own tables.
//
// C style: call under pg_guard; may ereport(ERROR).
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// True when promo.<table> has a visible row whose leading primary-key columns (text) equal
// keys[0..key_count).
bool primary_key_exists(const char* table, const Datum* keys, int key_count);

}  // namespace promo::pg
