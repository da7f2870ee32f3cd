// The database's time zone for start_of_day/week/month() in rules:
//   promo.set_timezone(zone text) RETURNS void   validates, stores and rebuilds all membership
//   promo.guard_settings()                        BEFORE trigger on promo.settings
// The zone lives in the single row of promo.settings, so every session computes membership in
// the same zone (a per-session setting would let two sessions store membership that disagrees,
// and verify_segments() report it). Changing it rewrites every membership interval that
// depends on calendar boundaries, so the row is changed only through set_timezone(), which
// serializes with event maintenance and definition changes and rebuilds in the same
// transaction, with a NOTICE per batch of customers.
#include "core/error.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/segment_cache.hpp"
#include "pg/segment_maintenance.hpp"
#include "pg/spi_support.hpp"
#include "pg/trigger_support.hpp"
#include "pg/zone_calendar.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "storage/lmgr.h"
}

namespace {

// True only while set_timezone() updates promo.settings: the guard trigger lets that through.
bool changing_zone = false;

// The OID of promo.settings.
Oid settings_relation_id() {
  return promo::pg::pg_guard([] {
    Oid schema = get_namespace_oid("promo", false);
    Oid relid = get_relname_relid("settings", schema);
    if (relid == InvalidOid) elog(ERROR, "promo: table promo.settings not found");
    return relid;
  });
}

// Stores `zone` (validated) and rebuilds the membership of every segment for every customer.
void set_timezone(const std::string& zone) {
  if (!promo::pg::check_zone_name(zone)) {
    throw promo::Error(promo::sqlstate::kInvalidParameterValue,
                       "promo.set_timezone: unknown time zone '" + zone + "'", "",
                       "Use a name from pg_timezone_names, e.g. 'Europe/Warsaw'.");
  }
  // SHARE ROW EXCLUSIVE on promo.segments conflicts with event maintenance (SHARE), definition
  // changes (ROW EXCLUSIVE) and another set_timezone(): none of them runs with the old zone
  // half-way through the rebuild.
  Oid segments_relid = promo::pg::segments_relation_id();
  promo::pg::pg_guard([segments_relid] { LockRelationOid(segments_relid, ShareRowExclusiveLock); });
  static SPIPlanPtr plan = nullptr;
  promo::pg::pg_guard([] {
    Oid types[1] = {TEXTOID};
    promo::pg::kept_plan(&plan, "UPDATE promo.settings SET timezone = $1", 1, types);
  });
  Datum arguments[1] = {promo::pg::pg_guard([&zone] {
    return PointerGetDatum(cstring_to_text_with_len(zone.data(), static_cast<int>(zone.size())));
  })};
  changing_zone = true;
  try {
    uint64 rows = promo::pg::run_plan(plan, arguments, false, SPI_OK_UPDATE);
    changing_zone = false;
    if (rows != 1) {
      throw promo::Error(promo::sqlstate::kInternalError, "promo: promo.settings has no row");
    }
  } catch (...) {
    changing_zone = false;
    throw;
  }
  // Every session re-reads the zone at its next use; this one at once.
  Oid settings_relid = settings_relation_id();
  promo::pg::pg_guard([settings_relid] { CacheInvalidateRelcacheByRelid(settings_relid); });
  promo::pg::mark_segments_stale();
  std::shared_ptr<const promo::SegmentSet> segments = promo::pg::current_segment_set();
  if (segments->size() == 0) return;
  std::vector<std::string> customers = promo::pg::all_known_customers(false);
  promo::pg::MaintenanceOptions options;
  options.lock_customers = false;  // every customer: the segments lock already excludes writers
  options.report_progress = true;
  promo::pg::maintain_membership(*segments, promo::pg::all_segment_ids(*segments), customers,
                                 options);
}

}  // namespace

PROMO_PG_FUNCTION(promo_set_timezone)
PROMO_PG_FUNCTION(promo_guard_settings)

// Entry point of promo.set_timezone(zone text): STRICT, so the zone is never NULL.
Datum promo_set_timezone(PG_FUNCTION_ARGS) {
  text* zone = PG_GETARG_TEXT_PP(0);
  const char* data = VARDATA_ANY(zone);
  int length = VARSIZE_ANY_EXHDR(zone);
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  promo::pg::call_cpp([data, length] {
    set_timezone(std::string(data, length));
    return PointerGetDatum(nullptr);
  });
  SPI_finish();
  PG_RETURN_VOID();
}

// BEFORE INSERT/UPDATE/DELETE (row) and TRUNCATE (statement) on promo.settings: only
// promo.set_timezone() may change the row (it validates the zone and rebuilds membership).
// An INSERT of a row is what pg_restore does with a dump's promo.settings (registered for
// pg_dump since 0.2): it is carried out as set_timezone(the row's zone), which updates the one
// row the install script wrote, and the inserted row itself is dropped.
Datum promo_guard_settings(PG_FUNCTION_ARGS) {
  if (!CALLED_AS_TRIGGER(fcinfo)) {
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("promo.guard_settings() must be called as a trigger")));
  }
  TriggerData* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  if (!changing_zone && TRIGGER_FIRED_BY_INSERT(trigger->tg_event) &&
      TRIGGER_FIRED_FOR_ROW(trigger->tg_event)) {
    TupleDesc descriptor = RelationGetDescr(trigger->tg_relation);
    int column = SPI_fnumber(descriptor, "timezone");
    char* zone = column > 0 ? SPI_getvalue(trigger->tg_trigtuple, descriptor, column) : nullptr;
    if (zone == nullptr) {
      ereport(ERROR, (errcode(ERRCODE_NOT_NULL_VIOLATION),
                      errmsg("promo.settings.timezone must not be null")));
    }
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
    promo::pg::call_cpp([zone] {
      set_timezone(zone);
      return PointerGetDatum(nullptr);
    });
    SPI_finish();
    return PointerGetDatum(nullptr);  // the one row was updated instead
  }
  if (!changing_zone || !TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) {
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("promo.settings is changed only through promo.set_timezone()"),
                    errhint("SELECT promo.set_timezone('Europe/Warsaw');")));
  }
  return PointerGetDatum(trigger->tg_newtuple);
}
