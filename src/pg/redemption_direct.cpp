// Direct recording of a redeem pass (see redemption_direct.hpp). C style throughout: every
// function here may ereport(ERROR) and owns no C++ object.
#include "pg/postgres_headers.hpp"

#include "pg/redemption_direct.hpp"

#include "pg/counter_reads.hpp"
#include "pg/direct_insert.hpp"
#include "pg/key_probe.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "common/cryptohash.h"
#include "common/sha2.h"
#include "mb/pg_wchar.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
}

namespace promo::pg {

namespace {

constexpr const char* kUsageColumns[] = {"customer_id", "promotion", "used"};
constexpr Oid kUsageTypes[] = {TEXTOID, TEXTOID, INT4OID};
constexpr const char* kOrderColumns[] = {"order_id", "customer_id", "cart_digest",
                                         "result",   "redeemed_at", "rolled_back_at"};
constexpr Oid kOrderTypes[] = {TEXTOID,  TEXTOID,        BYTEAOID,
                               JSONBOID, TIMESTAMPTZOID, TIMESTAMPTZOID};
constexpr const char* kRedemptionColumns[] = {
    "customer_id", "order_id", "promotion", "tier",        "amount",
    "code",        "slot",     "budgeted",  "redeemed_at", "rolled_back_at"};
constexpr Oid kRedemptionTypes[] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID,        INT8OID,
                                    TEXTOID, INT4OID, BOOLOID, TIMESTAMPTZOID, TIMESTAMPTZOID};

constexpr DirectTable kTables[] = {
    {"customer_usage", kUsageColumns, kUsageTypes, 3},
    {"orders", kOrderColumns, kOrderTypes, 6},
    {"redemptions", kRedemptionColumns, kRedemptionTypes, 10},
};
enum { kUsage, kOrders, kRedemptions };

Datum text_datum(const char* data, int length) {
  return PointerGetDatum(cstring_to_text_with_len(data, length));
}

// What record_order stores as cart_digest: sha256(convert_to(cart::text, 'UTF8')).
Datum cart_digest(Jsonb* cart) {
  char* text = JsonbToCString(nullptr, &cart->root, VARSIZE(cart));
  int length = static_cast<int>(strlen(text));
  char* utf8 = pg_server_to_any(text, length, PG_UTF8);
  if (utf8 != text) length = static_cast<int>(strlen(utf8));
  uint8 digest[PG_SHA256_DIGEST_LENGTH];
  pg_cryptohash_ctx* context = pg_cryptohash_create(PG_SHA256);
  if (pg_cryptohash_init(context) < 0 ||
      pg_cryptohash_update(context, reinterpret_cast<const uint8*>(utf8), length) < 0 ||
      pg_cryptohash_final(context, digest, sizeof(digest)) < 0) {
    pg_cryptohash_free(context);
    elog(ERROR, "promo: could not compute the cart digest");
  }
  pg_cryptohash_free(context);
  bytea* value = static_cast<bytea*>(palloc(VARHDRSZ + sizeof(digest)));
  SET_VARSIZE(value, VARHDRSZ + sizeof(digest));
  memcpy(VARDATA(value), digest, sizeof(digest));
  return PointerGetDatum(value);
}

}  // namespace

DirectRecording record_redemption_directly(const char* customer_id, int customer_length,
                                           const char* order_id, int order_length,
                                           const DirectRedemption* applied, int applied_count,
                                           Jsonb* cart, Jsonb* result) {
  for (int i = 0; i < applied_count; ++i) {
    if (applied[i].usage_row == 1) return DirectRecording::kUnavailable;
  }
  if (IsolationUsesXactSnapshot() || !counters_by_index_scan()) {
    return DirectRecording::kUnavailable;
  }
  Datum customer = text_datum(customer_id, customer_length);
  Datum order = text_datum(order_id, order_length);
  // The customer's redeem lock is held, so no other redeem of this customer writes these rows
  // meanwhile; another customer's redeem under the same order_id fails on the order's key.
  if (primary_key_exists("orders", &order, 1)) return DirectRecording::kOrderUsed;
  for (int i = 0; i < applied_count; ++i) {
    if (applied[i].usage_row == 0) continue;
    Datum keys[2] = {customer, text_datum(applied[i].promotion, applied[i].promotion_length)};
    if (primary_key_exists("customer_usage", keys, 2)) return DirectRecording::kUnavailable;
  }
  Datum now = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
  DirectInserts* inserts = begin_direct_inserts(kTables, 3);
  if (inserts == nullptr) return DirectRecording::kUnavailable;
  for (int i = 0; i < applied_count; ++i) {
    Datum values[3] = {customer, text_datum(applied[i].promotion, applied[i].promotion_length),
                       Int32GetDatum(1)};
    bool nulls[3] = {false, false, false};
    insert_direct_row(inserts, kUsage, values, nulls);
  }
  {
    Datum values[6] = {
        order, customer, cart_digest(cart), JsonbPGetDatum(result), now, PointerGetDatum(nullptr)};
    bool nulls[6] = {false, false, false, false, false, true};
    insert_direct_row(inserts, kOrders, values, nulls);
  }
  for (int i = 0; i < applied_count; ++i) {
    const DirectRedemption& r = applied[i];
    Datum values[10] = {
        customer,
        order,
        text_datum(r.promotion, r.promotion_length),
        text_datum(r.tier, r.tier_length),
        Int64GetDatum(r.amount),
        r.code != nullptr ? text_datum(r.code, r.code_length) : PointerGetDatum(nullptr),
        Int32GetDatum(r.slot),
        BoolGetDatum(r.budgeted),
        now,
        PointerGetDatum(nullptr)};
    bool nulls[10] = {false,      false, false, false, false, r.code == nullptr,
                      r.slot < 0, false, false, true};
    insert_direct_row(inserts, kRedemptions, values, nulls);
  }
  end_direct_inserts(inserts);
  return DirectRecording::kRecorded;
}

}  // namespace promo::pg
