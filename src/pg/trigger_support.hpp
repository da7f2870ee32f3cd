// Checks shared by promo's trigger functions.
#pragma once

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// The TriggerData of a call that must be a trigger fired AFTER ... FOR EACH STATEMENT (or, with
// row_before, BEFORE ... FOR EACH ROW). Raises a PostgreSQL error otherwise. C style: call at
// the entry point, before any C++ object exists.
TriggerData* expect_statement_trigger(FunctionCallInfo fcinfo, const char* function);
TriggerData* expect_row_before_trigger(FunctionCallInfo fcinfo, const char* function);

// Connects SPI and registers the trigger's transition tables under their names. C style.
void connect_spi_with_transition_tables(TriggerData* trigger);

// A read position of its own in a transition table (as a query over it would take), so the
// rows are read in C without an SPI query: for a one-row statement that query's executor
// start-up is most of the cost. C style: begin/next run under pg_guard.
struct TransitionScan {
  Tuplestorestate* rows = nullptr;
  TupleTableSlot* slot = nullptr;
  int read_pointer = 0;
};

// Starts reading `rows` (tuples of `descriptor`) from the beginning.
TransitionScan begin_transition_scan(Tuplestorestate* rows, TupleDesc descriptor);
// Advances to the next row (false at the end); its columns are then read with slot_getattr.
bool next_transition_row(TransitionScan* scan);
// Releases the slot.
void end_transition_scan(TransitionScan* scan);

}  // namespace promo::pg
