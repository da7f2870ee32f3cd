// Inserting rows into promo's own tables without a statement, the way PostgreSQL's logical
// replication applies a row: constraints checked, the row stored, its index entries made (unique
// checks included), row triggers fired, all under one executor state shared by several tables.
// A statement would add a plan-cache check, executor start-up and end for each table's node and
// the SPI round around it: on promo.redeem's hot path that was most of the cost of the writes.
//
// Only where a plain INSERT would do nothing more (begin_direct_inserts checks): an ordinary table
// whose columns are exactly the expected ones, without rules, row-level security, statement
// triggers or transition tables, which the current user may insert into. Otherwise the caller
// uses its statement. Column defaults are not evaluated: the caller gives every column.
//
// C style: every function must be called under pg_guard and may ereport(ERROR).
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// A table and the columns a row gives, in the table's column order.
struct DirectTable {
  const char* name;  // relation in schema promo
  const char* const* columns;
  const Oid* types;
  int column_count;
};

struct DirectInserts;

// Opens the tables (RowExclusiveLock, held to the end of the transaction) and their indexes, or
// returns nullptr when rows of one of them may not be inserted directly (see the file comment;
// a missing table too, so the caller's statement reports it).
DirectInserts* begin_direct_inserts(const DirectTable* tables, int count);

// Inserts one row into tables[table]: values[i] / nulls[i] for columns[i].
void insert_direct_row(DirectInserts* inserts, int table, const Datum* values, const bool* nulls);

// Fires the queued AFTER ROW triggers' bookkeeping end, closes indexes and tables, and frees the
// executor state.
void end_direct_inserts(DirectInserts* inserts);

}  // namespace promo::pg
