// Library entry: the module magic block and _PG_init, which registers the callbacks that keep
// the per-backend definition cache honest. Registered once per backend: PostgreSQL allows
// only a handful of relcache callbacks for all libraries together.
#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/segment_cache.hpp"
#include "pg/zone_calendar.hpp"

extern "C" {
PG_MODULE_MAGIC;
PGDLLEXPORT void _PG_init(void);
}

namespace {

// Relcache invalidation: only flips the stale flag (see definition_cache.hpp).
void on_relcache_invalidation(Datum, Oid relid) {
  promo::pg::note_relcache_invalidation(relid);
  promo::pg::note_segments_invalidation(relid);
}

// Top-level transaction end: a cache built with uncommitted definitions must not survive an
// abort (or a PREPARE, whose outcome is decided elsewhere).
void on_transaction_event(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      promo::pg::note_transaction_committed();
      promo::pg::note_segments_transaction_committed();
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:
      promo::pg::note_transaction_aborted();
      promo::pg::note_segments_transaction_aborted();
      break;
    default:
      break;
  }
}

// Subtransaction abort (ROLLBACK TO SAVEPOINT, an exception block): definitions written
// inside it are gone, so a cache built after them is stale.
void on_subtransaction_event(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB) {
    promo::pg::note_subtransaction_aborted();
    promo::pg::note_segments_subtransaction_aborted();
  }
}

}  // namespace

// Called once when the library is loaded into a backend.
void _PG_init(void) {
  promo::pg::define_timezone_setting();
  CacheRegisterRelcacheCallback(on_relcache_invalidation, PointerGetDatum(nullptr));
  RegisterXactCallback(on_transaction_event, nullptr);
  RegisterSubXactCallback(on_subtransaction_event, nullptr);
}
