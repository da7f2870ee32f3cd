// Trigger checks (see trigger_support.hpp).
#include "pg/postgres_headers.hpp"

#include "pg/trigger_support.hpp"

extern "C" {
#include "executor/executor.h"
#include "executor/tuptable.h"
#include "utils/tuplestore.h"
}

namespace promo::pg {

namespace {

TriggerData* expect_trigger(FunctionCallInfo fcinfo, const char* function) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be called as a trigger", function)));
  }
  return reinterpret_cast<TriggerData*>(fcinfo->context);
}

}  // namespace

TriggerData* expect_statement_trigger(FunctionCallInfo fcinfo, const char* function) {
  TriggerData* trigger = expect_trigger(fcinfo, function);
  if (!TRIGGER_FIRED_FOR_STATEMENT(trigger->tg_event) || !TRIGGER_FIRED_AFTER(trigger->tg_event)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be fired AFTER ... FOR EACH STATEMENT", function)));
  }
  return trigger;
}

TriggerData* expect_row_before_trigger(FunctionCallInfo fcinfo, const char* function) {
  TriggerData* trigger = expect_trigger(fcinfo, function);
  if (!TRIGGER_FIRED_FOR_ROW(trigger->tg_event) || !TRIGGER_FIRED_BEFORE(trigger->tg_event)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be fired BEFORE ... FOR EACH ROW", function)));
  }
  return trigger;
}

void connect_spi_with_transition_tables(TriggerData* trigger) {
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  if (SPI_register_trigger_data(trigger) != SPI_OK_TD_REGISTER) {
    elog(ERROR, "promo: registering transition tables failed");
  }
}

TransitionScan begin_transition_scan(Tuplestorestate* rows, TupleDesc descriptor) {
  TransitionScan scan;
  scan.rows = rows;
  scan.slot = MakeSingleTupleTableSlot(descriptor, &TTSOpsMinimalTuple);
  // The after-trigger queue creates transition tables with EXEC_FLAG_REWIND, so a new read
  // pointer may start at the beginning (as NamedTuplestoreScan does).
  scan.read_pointer = tuplestore_alloc_read_pointer(rows, EXEC_FLAG_REWIND);
  tuplestore_select_read_pointer(rows, scan.read_pointer);
  tuplestore_rescan(rows);
  return scan;
}

bool next_transition_row(TransitionScan* scan) {
  tuplestore_select_read_pointer(scan->rows, scan->read_pointer);
  return tuplestore_gettupleslot(scan->rows, true, false, scan->slot);
}

void end_transition_scan(TransitionScan* scan) {
  if (scan->slot != nullptr) ExecDropSingleTupleTableSlot(scan->slot);
  scan->slot = nullptr;
}

}  // namespace promo::pg
