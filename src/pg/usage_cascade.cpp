// promo.promotion_usage_guard(): triggers on promo.promotions that keep promo.customer_usage in
// step with the promotions it counts, in place of a foreign key.
//
// A foreign key from customer_usage to promotions share-locked the promotion's row for every
// new usage row (a customer's first redemption of it): concurrent redemptions of one promotion
// by distinct customers piled up multixacts on that one row. Instead:
//   - redeem takes promo.customer_usage in ROW EXCLUSIVE mode before it reads the promotions
//     (a fast-path lock: redemptions do not contend for it);
//   - deleting or renaming a promotion (BEFORE row) takes promo.customer_usage in SHARE ROW
//     EXCLUSIVE mode: it waits for the redemptions in flight and holds new ones back until it
//     commits, and those then read the promotions as changed (the lock makes them process the
//     invalidation first), so no usage row is written for a promotion that no longer exists;
//   - AFTER the row is deleted or renamed, its usage rows are deleted or renamed with it (AFTER
//     TRUNCATE: all of them). Under REPEATABLE READ / SERIALIZABLE the cascade reads the latest
//     rows and fails with 40001 on a row its snapshot does not see, as a foreign key's cascade
//     does.
#include "core/calendar.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/spi_support.hpp"

extern "C" {
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace {

constexpr const char* kDeleteUsage =
    "DELETE FROM promo.customer_usage WHERE promotion OPERATOR(pg_catalog.=) $1";
constexpr const char* kRenameUsage =
    "UPDATE promo.customer_usage SET promotion = $2 WHERE promotion OPERATOR(pg_catalog.=) $1";
constexpr const char* kDeleteAllUsage = "DELETE FROM promo.customer_usage";

// The OID of promo.customer_usage. C style.
Oid usage_relation() {
  Oid relid = get_relname_relid("customer_usage", get_namespace_oid("promo", false));
  if (!OidIsValid(relid)) elog(ERROR, "promo: table promo.customer_usage not found");
  return relid;
}

// Runs a kept cascade plan, with a foreign key cascade's snapshots. C style, SPI connected.
void run_cascade(SPIPlanPtr plan, Datum* arguments, int expected) {
  Snapshot test = InvalidSnapshot;
  Snapshot crosscheck = InvalidSnapshot;
  if (IsolationUsesXactSnapshot()) {
    CommandCounterIncrement();
    test = GetLatestSnapshot();
    crosscheck = GetTransactionSnapshot();
  }
  int status = SPI_execute_snapshot(plan, arguments, nullptr, test, crosscheck, false, false, 0);
  if (status != expected) {
    elog(ERROR, "promo: cascading to promo.customer_usage failed: %s",
         SPI_result_code_string(status));
  }
}

// The name column of a promotions row, or nullptr. C style.
char* promotion_name(HeapTuple row, TupleDesc descriptor) {
  int column = SPI_fnumber(descriptor, "name");
  return column > 0 ? SPI_getvalue(row, descriptor, column) : nullptr;
}

}  // namespace

PROMO_PG_FUNCTION(promo_promotion_usage_guard)

// BEFORE DELETE OR UPDATE OF name (row), AFTER DELETE OR UPDATE OF name (row) and AFTER
// TRUNCATE (statement) on promo.promotions. C style throughout: no C++ object owns anything.
Datum promo_promotion_usage_guard(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("promo.promotion_usage_guard() must be called as a trigger")));
  }
  TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
  bool before = TRIGGER_FIRED_BEFORE(trigger->tg_event);
  HeapTuple returned =
      TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
  if (TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event)) {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
    static SPIPlanPtr plan = nullptr;
    promo::pg::kept_plan(&plan, kDeleteAllUsage, 0, nullptr);
    run_cascade(plan, nullptr, SPI_OK_DELETE);
    SPI_finish();
    return PointerGetDatum(nullptr);
  }
  char* old_name = promotion_name(trigger->tg_trigtuple, descriptor);
  char* new_name = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)
                       ? promotion_name(trigger->tg_newtuple, descriptor)
                       : nullptr;
  bool renamed = new_name != nullptr && old_name != nullptr && strcmp(old_name, new_name) != 0;
  if (TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) && !renamed) return PointerGetDatum(returned);
  if (before) {
    LockRelationOid(usage_relation(), ShareRowExclusiveLock);
    return PointerGetDatum(returned);
  }
  if (old_name == nullptr) return PointerGetDatum(nullptr);
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  if (renamed) {
    static SPIPlanPtr plan = nullptr;
    Oid types[2] = {TEXTOID, TEXTOID};
    promo::pg::kept_plan(&plan, kRenameUsage, 2, types);
    Datum arguments[2] = {CStringGetTextDatum(old_name), CStringGetTextDatum(new_name)};
    run_cascade(plan, arguments, SPI_OK_UPDATE);
  } else {
    static SPIPlanPtr plan = nullptr;
    Oid types[1] = {TEXTOID};
    promo::pg::kept_plan(&plan, kDeleteUsage, 1, types);
    Datum arguments[1] = {CStringGetTextDatum(old_name)};
    run_cascade(plan, arguments, SPI_OK_DELETE);
  }
  SPI_finish();
  return PointerGetDatum(nullptr);
}
