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

}  // namespace promo::pg
