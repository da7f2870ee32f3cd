// One pass over promo.events for the history of many customers (see history_scan.hpp).
#include <algorithm>

#include "core/error.hpp"
#include "core/string_positions.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_scan.hpp"
#include "pg/error_bridge.hpp"
#include "pg/history_scan.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "access/table.h"
#include "access/tableam.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace promo::pg {

namespace {

// A row the pass keeps: the customer's position in the group, the type's in the types.
struct Row {
  uint32_t customer;
  uint32_t type;
  TimestampTz at;  // PostgreSQL's time: converted once the pass is done
};

// The open pass. C style: created, advanced and ended under pg_guard.
struct Pass {
  Relation table;
  TableScanDesc scan;
  TupleTableSlot* slot;
  AttrNumber customer_column;
  AttrNumber type_column;
  AttrNumber time_column;
  MemoryContext values;  // detoasted values, reset per chunk
};

Pass begin_pass() {
  Pass pass;
  memset(&pass, 0, sizeof(pass));
  pass.table = table_open(promo_relation("events"), AccessShareLock);
  TupleDesc descriptor = RelationGetDescr(pass.table);
  for (int i = 0; i < descriptor->natts; ++i) {
    Form_pg_attribute column = TupleDescAttr(descriptor, i);
    if (column->attisdropped) continue;
    const char* name = NameStr(column->attname);
    if (strcmp(name, "customer_id") == 0) pass.customer_column = column->attnum;
    if (strcmp(name, "type") == 0) pass.type_column = column->attnum;
    if (strcmp(name, "occurred_at") == 0) pass.time_column = column->attnum;
  }
  if (pass.customer_column == 0 || pass.type_column == 0 || pass.time_column == 0) {
    elog(ERROR, "promo: promo.events lacks customer_id, type or occurred_at");
  }
  // As SPI does for a query that is not read-only (customer_scan.hpp does the same).
  CommandCounterIncrement();
  PushActiveSnapshot(GetTransactionSnapshot());
  UpdateActiveSnapshotCommandId();
  pass.scan = table_beginscan(pass.table, GetActiveSnapshot(), 0, nullptr);
  pass.slot = table_slot_create(pass.table, nullptr);
  pass.values =
      AllocSetContextCreate(CurrentMemoryContext, "promo history scan", ALLOCSET_SMALL_SIZES);
  return pass;
}

void end_pass(Pass* pass) {
  ExecDropSingleTupleTableSlot(pass->slot);
  table_endscan(pass->scan);
  table_close(pass->table, NoLock);
  PopActiveSnapshot();
  MemoryContextDelete(pass->values);
}

// The bytes of a text datum, detoasted into `values` when stored compressed or out of line. C
// style.
struct Bytes {
  const char* data;
  size_t length;
};

Bytes text_bytes(Datum datum, MemoryContext values) {
  struct varlena* pointer = reinterpret_cast<struct varlena*>(DatumGetPointer(datum));
  if (VARATT_IS_EXTERNAL(pointer) || VARATT_IS_COMPRESSED(pointer)) {
    MemoryContext previous = MemoryContextSwitchTo(values);
    pointer = pg_detoast_datum_packed(pointer);
    MemoryContextSwitchTo(previous);
  }
  return Bytes{VARDATA_ANY(pointer), static_cast<size_t>(VARSIZE_ANY_EXHDR(pointer))};
}

// What the pass looks for. Read-only inside pg_guard.
struct Wanted {
  const promo::StringPositions* customers;
  const std::string* types;
  uint32_t type_count;
  TimestampTz until;
};

struct Chunk {
  size_t kept;
  bool end;
};

// Reads rows until `capacity` are kept into `out` or the table ends. C style: call under
// pg_guard (the hash lookup neither allocates nor throws).
Chunk read_chunk(Pass* pass, const Wanted& wanted, Row* out, size_t capacity) {
  CHECK_FOR_INTERRUPTS();
  MemoryContextReset(pass->values);
  Chunk chunk{0, false};
  for (size_t read = 0; chunk.kept < capacity && read < 4 * capacity; ++read) {
    if (!table_scan_getnextslot(pass->scan, ForwardScanDirection, pass->slot)) {
      chunk.end = true;
      break;
    }
    bool customer_null = false, type_null = false, time_null = false;
    Datum customer = slot_getattr(pass->slot, pass->customer_column, &customer_null);
    Datum type = slot_getattr(pass->slot, pass->type_column, &type_null);
    Datum time = slot_getattr(pass->slot, pass->time_column, &time_null);
    if (customer_null || type_null || time_null) continue;  // NOT NULL columns
    TimestampTz at = DatumGetTimestampTz(time);
    if (at > wanted.until) continue;
    // The type test compares bytes, as the index read's COLLATE "C" equality does.
    Bytes type_bytes = text_bytes(type, pass->values);
    uint32_t t = 0;
    while (t < wanted.type_count &&
           (wanted.types[t].size() != type_bytes.length ||
            memcmp(wanted.types[t].data(), type_bytes.data, type_bytes.length) != 0)) {
      ++t;
    }
    if (t == wanted.type_count) continue;
    // customer_id's collation is the database default, which is deterministic: equal means
    // byte-equal.
    Bytes customer_bytes = text_bytes(customer, pass->values);
    uint32_t position =
        wanted.customers->find(std::string_view(customer_bytes.data, customer_bytes.length));
    if (position == promo::StringPositions::kNone) continue;
    out[chunk.kept++] = Row{position, t, at};
  }
  return chunk;
}

}  // namespace

bool history_scan_pays(size_t customers, uint64_t statement_rows) {
  if (customers < kHistoryScanMinimum) return false;
  uint64_t passes = (customers + kHistoryScanCustomers - 1) / kHistoryScanCustomers;
  uint64_t pages = pg_guard([] {
    Relation table = table_open(promo_relation("events"), AccessShareLock);
    BlockNumber blocks = RelationGetNumberOfBlocks(table);
    table_close(table, NoLock);
    return static_cast<uint64_t>(blocks);
  });
  return passes * pages <= statement_rows;
}

EventHistory scan_event_history(const std::vector<std::string>& customers,
                                const std::vector<std::string>& types, int64_t until) {
  EventHistory history;
  history.types = types;
  std::sort(history.types.begin(), history.types.end());
  history.types.erase(std::unique(history.types.begin(), history.types.end()), history.types.end());
  history.offsets.assign(customers.size() + 1, 0);
  if (customers.empty() || history.types.empty()) return history;
  const promo::StringPositions positions(customers);
  const Wanted wanted{&positions, history.types.data(), static_cast<uint32_t>(history.types.size()),
                      postgres_time(until)};

  std::vector<Row> rows;
  constexpr size_t kChunk = 1024;
  std::vector<Row> chunk_rows(kChunk);
  // On an error the transaction's (or subtransaction's) abort ends the scan and pops the
  // snapshot, as for customer_scan.hpp.
  Pass pass = pg_guard([] { return begin_pass(); });
  while (true) {
    Row* out = chunk_rows.data();
    const Wanted* looking_for = &wanted;
    Pass* open = &pass;
    Chunk chunk =
        pg_guard([open, looking_for, out] { return read_chunk(open, *looking_for, out, kChunk); });
    rows.insert(rows.end(), chunk_rows.begin(), chunk_rows.begin() + chunk.kept);
    if (chunk.end) break;
  }
  pg_guard([&pass] { end_pass(&pass); });

  // Grouped by customer (a counting sort), then each customer's events by type and time.
  for (const Row& row : rows) ++history.offsets[row.customer + 1];
  for (size_t c = 0; c < customers.size(); ++c) history.offsets[c + 1] += history.offsets[c];
  history.events.resize(rows.size());
  std::vector<size_t> next(history.offsets.begin(), history.offsets.end() - 1);
  for (const Row& row : rows)
    history.events[next[row.customer]++] = {engine_time(row.at), row.type};
  for (size_t c = 0; c < customers.size(); ++c) {
    std::sort(history.events.begin() + history.offsets[c],
              history.events.begin() + history.offsets[c + 1],
              [](const EventHistory::Event& a, const EventHistory::Event& b) {
                return a.type != b.type ? a.type < b.type : a.at < b.at;
              });
  }
  return history;
}

}  // namespace promo::pg
