// Primary-key probes (see key_probe.hpp). C style throughout: every function here may
// ereport(ERROR) and owns no C++ object.
#include "pg/postgres_headers.hpp"

#include "pg/key_probe.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace promo::pg {

bool primary_key_exists(const char* name, const Datum* values, int key_count) {
  constexpr int kMaxKeys = 4;
  if (key_count > kMaxKeys) elog(ERROR, "promo: too many key columns to probe");
  Oid relid = get_relname_relid(name, get_namespace_oid("promo", false));
  if (!OidIsValid(relid)) elog(ERROR, "promo: table promo.%s is missing", name);
  Relation table = table_open(relid, AccessShareLock);
  Oid primary_key = RelationGetPrimaryKeyIndex(table);
  if (!OidIsValid(primary_key)) elog(ERROR, "promo: promo.%s has no primary key", name);
  Relation index = index_open(primary_key, AccessShareLock);
  ScanKeyData keys[kMaxKeys];
  for (int k = 0; k < key_count; ++k) {
    if (k >= index->rd_index->indnkeyatts || index->rd_opcintype[k] != TEXTOID) {
      elog(ERROR, "promo: the primary key of promo.%s has no text column %d", name, k + 1);
    }
    ScanKeyEntryInitialize(&keys[k], 0, static_cast<AttrNumber>(k + 1), BTEqualStrategyNumber,
                           InvalidOid, index->rd_indcollation[k], F_TEXTEQ, values[k]);
  }
  CommandCounterIncrement();
  Snapshot snapshot = RegisterSnapshot(GetTransactionSnapshot());
  TupleTableSlot* slot = table_slot_create(table, nullptr);
  IndexScanDesc scan = index_beginscan(table, index, snapshot, key_count, 0);
  index_rescan(scan, keys, key_count, nullptr, 0);
  bool found = index_getnext_slot(scan, ForwardScanDirection, slot);
  index_endscan(scan);
  ExecDropSingleTupleTableSlot(slot);
  UnregisterSnapshot(snapshot);
  index_close(index, NoLock);
  table_close(table, NoLock);
  return found;
}

}  // namespace promo::pg
