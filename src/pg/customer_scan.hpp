// Reading a table's rows customer by customer through an index whose first column is
// customer_id, without SPI: no plan-cache check, executor start-up or result copy per call,
// which is most of the cost of the one-customer reads a one-row event insert makes.
//
// Rows are read under the snapshot an SPI statement would use: with read_only, the active
// snapshot (evaluate_cart, verify_segments); otherwise the command counter is advanced (the
// statement's own writes become visible) and a fresh snapshot is taken under READ COMMITTED
// (segment maintenance, which holds the customers' locks by then). Without read_only the
// caller's SELECT privilege is not checked, as for promo's own SECURITY DEFINER triggers; with
// it, the current user must be allowed to SELECT the table.
//
// C style: every function must be called under pg_guard. A row's values stay valid until the
// next call for the same scan.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "access/genam.h"
#include "executor/tuptable.h"
#include "utils/rel.h"
}

namespace promo::pg {

struct CustomerScan {
  Relation table;
  Relation index;
  IndexScanDesc scan;
  TupleTableSlot* slot;
  ScanKeyData key;
  bool pushed_snapshot;
};

// Opens `table` and `index` (InvalidOid: the table's primary key), with AccessShareLock held to
// the end of the transaction.
CustomerScan begin_customer_scan(Oid table, Oid index, bool read_only);

// Starts over with the rows of one customer.
void rescan_customer(CustomerScan* scan, const char* customer_id, int length);

// Fetches the next row of the customer into scan->slot (all attributes deformed); false at the
// end.
bool next_customer_row(CustomerScan* scan);

void end_customer_scan(CustomerScan* scan);

// The oid of relation promo.<name>; an error naming it when it does not exist.
Oid promo_relation(const char* name);

}  // namespace promo::pg
