// Counter reads by primary-key index scans (see counter_reads.hpp). C style throughout: every
// function here may ereport(ERROR) and owns no C++ object.
#include "pg/postgres_headers.hpp"

#include "pg/counter_reads.hpp"

extern "C" {
#include "access/genam.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "utils/acl.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace promo::pg {

namespace {

// A counter table open for reading: the table, its primary key (whose leading key_count columns
// are text keys), a slot for its rows and the `used` column that is summed.
struct CounterTable {
  Relation table;
  Relation index;
  TupleTableSlot* slot;
  AttrNumber used;
  bool used_is_int8;
  int key_count;
};

// Raises the executor's "permission denied" unless the caller may SELECT the columns read
// (the table, or each of those columns, as a statement would accept).
void check_select(Oid relid, const char* name, const char* const* keys, int key_count) {
  if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK) return;
  for (int k = 0; k <= key_count; ++k) {
    AttrNumber column = get_attnum(relid, k < key_count ? keys[k] : "used");
    if (column == InvalidAttrNumber ||
        pg_attribute_aclcheck(relid, column, GetUserId(), ACL_SELECT) != ACLCHECK_OK) {
      aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_TABLE, name);
    }
  }
}

// Opens promo.<name> and its primary key after checking the caller's SELECT right, and checks
// that the key starts with the columns `keys` (so a changed schema fails loudly instead of
// reading wrong rows).
void open_counter_table(Oid schema, const char* name, const char* const* keys, int key_count,
                        CounterTable* t) {
  Oid relid = get_relname_relid(name, schema);
  if (!OidIsValid(relid)) elog(ERROR, "promo: table promo.%s is missing", name);
  check_select(relid, name, keys, key_count);
  t->table = table_open(relid, AccessShareLock);
  Oid primary_key = RelationGetPrimaryKeyIndex(t->table);
  if (!OidIsValid(primary_key)) elog(ERROR, "promo: promo.%s has no primary key", name);
  t->index = index_open(primary_key, AccessShareLock);
  for (int k = 0; k < key_count; ++k) {
    AttrNumber column = get_attnum(relid, keys[k]);
    if (column == InvalidAttrNumber || k >= t->index->rd_index->indnkeyatts ||
        t->index->rd_index->indkey.values[k] != column || t->index->rd_opcintype[k] != TEXTOID) {
      elog(ERROR, "promo: the primary key of promo.%s does not start with %s", name, keys[k]);
    }
  }
  t->used = get_attnum(relid, "used");
  Oid used_type = t->used == InvalidAttrNumber
                      ? InvalidOid
                      : TupleDescAttr(RelationGetDescr(t->table), t->used - 1)->atttypid;
  if (used_type != INT4OID && used_type != INT8OID) {
    elog(ERROR, "promo: promo.%s.used is missing or not an integer", name);
  }
  t->used_is_int8 = used_type == INT8OID;
  t->key_count = key_count;
  t->slot = table_slot_create(t->table, nullptr);
}

// Closes what open_counter_table opened; the locks stay until the transaction ends, as a
// statement's would.
void close_counter_table(CounterTable* t) {
  ExecDropSingleTupleTableSlot(t->slot);
  index_close(t->index, NoLock);
  table_close(t->table, NoLock);
}

// The sum of `used` over the rows whose key columns equal `values` (text), 0 when none. The
// scan keys carry the index's collations, as the planner's would.
int64 sum_used(CounterTable* t, Snapshot snapshot, const Datum* values, bool* found) {
  ScanKeyData keys[2];
  for (int k = 0; k < t->key_count; ++k) {
    ScanKeyEntryInitialize(&keys[k], 0, static_cast<AttrNumber>(k + 1), BTEqualStrategyNumber,
                           InvalidOid, t->index->rd_indcollation[k], F_TEXTEQ, values[k]);
  }
  IndexScanDesc scan = index_beginscan(t->table, t->index, snapshot, t->key_count, 0);
  index_rescan(scan, keys, t->key_count, nullptr, 0);
  int64 sum = 0;
  while (index_getnext_slot(scan, ForwardScanDirection, t->slot)) {
    *found = true;
    bool is_null = false;
    Datum used = slot_getattr(t->slot, t->used, &is_null);
    if (!is_null) sum += t->used_is_int8 ? DatumGetInt64(used) : DatumGetInt32(used);
  }
  index_endscan(scan);
  return sum;
}

// Sums, for every read that wants `member`, promo.<name> rows keyed by (customer,) promotion.
void read_table(Oid schema, const char* name, Snapshot snapshot, Datum customer, CounterRead* reads,
                int count, bool CounterRead::*wanted, int64_t CounterRead::*result,
                bool CounterRead::*found) {
  bool any = false;
  for (int i = 0; i < count; ++i) any = any || reads[i].*wanted;
  if (!any) return;
  const char* customer_keys[2] = {"customer_id", "promotion"};
  const char* promotion_keys[1] = {"promotion"};
  bool by_customer = customer != PointerGetDatum(nullptr);
  CounterTable t;
  open_counter_table(schema, name, by_customer ? customer_keys : promotion_keys,
                     by_customer ? 2 : 1, &t);
  for (int i = 0; i < count; ++i) {
    if (!(reads[i].*wanted)) continue;
    Datum promotion =
        PointerGetDatum(cstring_to_text_with_len(reads[i].promotion, reads[i].promotion_length));
    Datum values[2] = {by_customer ? customer : promotion, promotion};
    bool any_row = false;
    reads[i].*result = sum_used(&t, snapshot, values, &any_row);
    if (found != nullptr) reads[i].*found = any_row;
  }
  close_counter_table(&t);
}

}  // namespace

bool counters_by_index_scan() {
  // Citus cannot distribute a table without being preloaded, which defines its settings.
  return GetConfigOption("citus.version", true, false) == nullptr;
}

void read_counters(const char* customer_id, int customer_length, CounterRead* reads, int count,
                   bool fresh) {
  Oid schema = get_namespace_oid("promo", false);
  Snapshot snapshot = nullptr;
  if (fresh) {
    // What a non-read-only SPI statement does: own changes visible, then a new snapshot under
    // READ COMMITTED (the transaction's under REPEATABLE READ and SERIALIZABLE).
    CommandCounterIncrement();
    snapshot = RegisterSnapshot(GetTransactionSnapshot());
  } else {
    snapshot = RegisterSnapshot(GetActiveSnapshot());
  }
  if (customer_id != nullptr) {
    Datum customer = PointerGetDatum(cstring_to_text_with_len(customer_id, customer_length));
    read_table(schema, "customer_usage", snapshot, customer, reads, count, &CounterRead::customer,
               &CounterRead::customer_used, &CounterRead::customer_row);
  }
  read_table(schema, "promotion_slots", snapshot, PointerGetDatum(nullptr), reads, count,
             &CounterRead::total, &CounterRead::total_used, nullptr);
  read_table(schema, "promotion_budget", snapshot, PointerGetDatum(nullptr), reads, count,
             &CounterRead::budget, &CounterRead::budget_used, nullptr);
  UnregisterSnapshot(snapshot);
}

}  // namespace promo::pg
