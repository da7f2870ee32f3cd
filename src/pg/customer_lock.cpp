// promo.lock_customer_history(customer_id text): takes, to the end of the transaction, the locks
// segment maintenance takes for one customer, in the same order (SHARE on promo.segments, then
// the customer's lock bucket). A caller that reads the customer's membership, writes history
// and reads it again (promo.track) sees no other transaction's change of that customer in
// between. Locks are taken in C, so the caller needs no privilege on promo.segments.
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/error_bridge.hpp"
#include "pg/segment_maintenance.hpp"

PROMO_PG_FUNCTION(promo_lock_customer_history)

Datum promo_lock_customer_history(PG_FUNCTION_ARGS) {
  if (PG_ARGISNULL(0)) {
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("lock_customer_history: customer_id must not be null")));
  }
  text* customer = PG_GETARG_TEXT_PP(0);
  const char* data = VARDATA_ANY(customer);
  int length = VARSIZE_ANY_EXHDR(customer);
  promo::pg::call_cpp([data, length] {
    promo::pg::lock_segment_definitions();
    promo::pg::lock_customers({std::string(data, length)});
    return PointerGetDatum(nullptr);
  });
  PG_RETURN_VOID();
}
