// Index scans by customer_id without SPI (see customer_scan.hpp).
#include "pg/postgres_headers.hpp"

#include "pg/customer_scan.hpp"

extern "C" {
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "executor/executor.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/relcache.h"
#include "utils/snapmgr.h"
}

namespace promo::pg {

CustomerScan begin_customer_scan(Oid table, Oid index, bool read_only) {
  CustomerScan scan;
  memset(&scan, 0, sizeof(scan));
  scan.table = table_open(table, AccessShareLock);
  if (read_only) {
    AclResult allowed = pg_class_aclcheck(table, GetUserId(), ACL_SELECT);
    if (allowed != ACLCHECK_OK) {
      aclcheck_error(allowed, OBJECT_TABLE, RelationGetRelationName(scan.table));
    }
  }
  if (!OidIsValid(index)) index = RelationGetPrimaryKeyIndex(scan.table);
  if (!OidIsValid(index)) elog(ERROR, "promo: table %u has no primary key", table);
  scan.index = index_open(index, AccessShareLock);
  Snapshot snapshot;
  if (read_only) {
    snapshot = GetActiveSnapshot();
  } else {
    CommandCounterIncrement();
    PushActiveSnapshot(GetTransactionSnapshot());
    UpdateActiveSnapshotCommandId();
    scan.pushed_snapshot = true;
    snapshot = GetActiveSnapshot();
  }
  scan.scan = index_beginscan(scan.table, scan.index, snapshot, 1, 0);
  scan.slot = table_slot_create(scan.table, nullptr);
  return scan;
}

void rescan_customer(CustomerScan* scan, const char* customer_id, int length) {
  ScanKeyInit(&scan->key, 1, BTEqualStrategyNumber, F_TEXTEQ,
              PointerGetDatum(cstring_to_text_with_len(customer_id, length)));
  // The index orders by its own collation; the key must compare the same way.
  scan->key.sk_collation = scan->index->rd_indcollation[0];
  index_rescan(scan->scan, &scan->key, 1, nullptr, 0);
}

bool next_customer_row(CustomerScan* scan) {
  if (!index_getnext_slot(scan->scan, ForwardScanDirection, scan->slot)) return false;
  slot_getallattrs(scan->slot);
  return true;
}

void end_customer_scan(CustomerScan* scan) {
  ExecDropSingleTupleTableSlot(scan->slot);
  index_endscan(scan->scan);
  index_close(scan->index, NoLock);
  table_close(scan->table, NoLock);
  if (scan->pushed_snapshot) PopActiveSnapshot();
}

Oid promo_relation(const char* name) {
  Oid relid = get_relname_relid(name, get_namespace_oid("promo", false));
  if (!OidIsValid(relid)) {
    ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                    errmsg("promo: relation promo.%s does not exist", name),
                    errhint("Reinstall or update the promo extension.")));
  }
  return relid;
}

}  // namespace promo::pg
