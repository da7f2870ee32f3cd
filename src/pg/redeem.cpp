// promo.redeem(customer_id text, cart jsonb, order_id text, at timestamptz DEFAULT now())
//   RETURNS jsonb
//
// Applies what evaluate_cart would at `at` and records it, in the caller's transaction:
//  1. Takes pg_advisory_xact_lock(1886547822, hashtext(customer_id)) directly (no statement):
//     one customer's redemptions (and rollbacks) serialize, so per_customer_limit is exact and
//     the counters read next, with a snapshot taken after the lock, are current.
//  2. Reads counters and codes with a fresh snapshot (READ COMMITTED) and evaluates with them.
//  3. Reserves, in evaluation order, with single guarded statements: one unit of a total_limit
//     slot (used < cap, starting at the customer's slot; when no slot row matched, the open
//     slots are read again with a fresh snapshot, since a total_limit change re-splits the caps
//     in place), the granted amount of the budget (used + amount <= budget), one use of the code
//     (uses < max_uses). Only promotions with such a limit and codes cost a statement here.
//  4. Records with one statement: customer usage for every applied promotion (an upsert, so a
//     per_customer_limit set later counts past redemptions; guarded by used < limit when there
//     is one), then, only when every guard held, the order row (order_id, customer, cart digest
//     and result: the idempotency record) and one promo.redemptions row per applied promotion.
//     A used order_id inserts nothing (ON CONFLICT DO NOTHING); what was reserved is undone and
//     the stored result is returned (same customer and cart) or an error names the order
//     (another customer or cart: 23505; rolled back: 55000).
//     Under READ COMMITTED, when the order_id is unused and the customer has no usage row yet for
//     any applied promotion (a first redemption, the common case), the same rows are written by
//     direct inserts instead (redemption_direct.hpp): no statement, no ON CONFLICT. Another
//     customer's concurrent redeem under the same order_id then fails on the order's key (23505
//     with PostgreSQL's own message).
//     A failed reservation or guard (a race for the last unit) undoes this pass's reservations,
//     blocks or caps that promotion (or marks the code used up) and evaluates again; the loop
//     is bounded.
//  5. Writes coupon_redeemed for the redeemer per code used and referral_completed for a
//     referral code's owner (into promo.events, so segment maintenance runs as for any insert).
// Distinct customers share no counter row while a promotion has no total_limit or budget (since
// 0.2 promo.customer_usage has no foreign key to promo.promotions, whose check share-locked the
// promotion's row: see lock_usage_table()). Under REPEATABLE READ / SERIALIZABLE a counter changed
// concurrently raises 40001 from the guarded statements: retry. The engine never sees PostgreSQL;
// SQL is parameterised only.
#include "core/cart.hpp"
#include "core/engine.hpp"
#include "core/explain.hpp"
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/definition_cache.hpp"
#include "pg/error_bridge.hpp"
#include "pg/evaluation_inputs.hpp"
#include "pg/jsonb_cart.hpp"
#include "pg/jsonb_result.hpp"
#include "pg/redemption_direct.hpp"
#include "pg/spi_support.hpp"
#include "pg/timestamps.hpp"

extern "C" {
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "storage/lmgr.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
}

namespace {

using promo::pg::pg_guard;

constexpr int kSlotCount = 16;
// The first key of the customer's redeem lock ("promo" in ASCII); rollback_redemption uses it too.
constexpr int32 kRedeemLockClass = 1886547822;

// The stored order of a used order_id, to replay it or name the conflict.
constexpr const char* kExistingOrder =
    "SELECT o.customer_id OPERATOR(pg_catalog.=) $2,"
    "       o.cart_digest OPERATOR(pg_catalog.=)"
    "         pg_catalog.sha256(pg_catalog.convert_to($3::pg_catalog.text, 'UTF8')),"
    "       o.rolled_back_at IS NOT NULL, o.result"
    "  FROM promo.orders o WHERE o.order_id OPERATOR(pg_catalog.=) $1";
constexpr const char* kGiveCustomer =
    "UPDATE promo.customer_usage SET used = used OPERATOR(pg_catalog.-) 1"
    " WHERE customer_id OPERATOR(pg_catalog.=) $1 AND promotion OPERATOR(pg_catalog.=) $2"
    "   AND used OPERATOR(pg_catalog.>) 0";
constexpr const char* kOpenSlots =
    "SELECT s.slot FROM promo.promotion_slots s"
    " WHERE s.promotion OPERATOR(pg_catalog.=) $1 AND s.used OPERATOR(pg_catalog.<) s.cap"
    " ORDER BY (s.slot OPERATOR(pg_catalog.-) $2 OPERATOR(pg_catalog.+) 16)"
    "          OPERATOR(pg_catalog.%) 16";
constexpr const char* kTakeSlot =
    "UPDATE promo.promotion_slots SET used = used OPERATOR(pg_catalog.+) 1"
    " WHERE promotion OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2"
    "   AND used OPERATOR(pg_catalog.<) cap RETURNING slot";
constexpr const char* kGiveSlot =
    "UPDATE promo.promotion_slots SET used = used OPERATOR(pg_catalog.-) 1"
    " WHERE promotion OPERATOR(pg_catalog.=) $1 AND slot OPERATOR(pg_catalog.=) $2"
    "   AND used OPERATOR(pg_catalog.>) 0";
constexpr const char* kTakeBudget =
    "UPDATE promo.promotion_budget SET used = used OPERATOR(pg_catalog.+) $2"
    " WHERE promotion OPERATOR(pg_catalog.=) $1"
    "   AND used OPERATOR(pg_catalog.+) $2 OPERATOR(pg_catalog.<=) budget RETURNING used";
constexpr const char* kBudgetLeft =
    "SELECT b.budget OPERATOR(pg_catalog.-) b.used FROM promo.promotion_budget b"
    " WHERE b.promotion OPERATOR(pg_catalog.=) $1";
constexpr const char* kGiveBudget =
    "UPDATE promo.promotion_budget SET used = used OPERATOR(pg_catalog.-) $2"
    " WHERE promotion OPERATOR(pg_catalog.=) $1";
constexpr const char* kTakeCode =
    "UPDATE promo.codes SET uses = uses OPERATOR(pg_catalog.+) 1"
    " WHERE code OPERATOR(pg_catalog.=) $1"
    "   AND (max_uses IS NULL OR uses OPERATOR(pg_catalog.<) max_uses) RETURNING 1";
constexpr const char* kGiveCode =
    "UPDATE promo.codes SET uses = uses OPERATOR(pg_catalog.-) 1"
    " WHERE code OPERATOR(pg_catalog.=) $1 AND uses OPERATOR(pg_catalog.>) 0";
// Records a pass in one statement (one round of executor start-up instead of one per table):
//  usage    the customer's usage of every applied promotion ($9), +1; an existing row is only
//           bumped while used < its limit ($10, same order; INT4 max when the promotion has no
//           per_customer_limit). Returns the promotions counted.
//  claimed  the order row with its result, only when every usage row was counted (otherwise a
//           limit guard failed and the pass is undone and evaluated again); a used order_id
//           inserts nothing (the caller replays it).
//  redemptions  one row per applied promotion, only when the order was claimed (arrays, one
//           element per applied promotion; code '' and slot -1 stand for NULL).
// The claimed CTE reads usage and redemptions reads claimed, so they run in that order. The
// result: one row per counted promotion (a single row with NULL when none), with the claim flag.
constexpr const char* kRecordOrder =
    "WITH usage AS ("
    " INSERT INTO promo.customer_usage AS u (customer_id, promotion, used)"
    " SELECT $1, n.promotion, 1 FROM pg_catalog.unnest($9::pg_catalog.text[]) AS n(promotion)"
    " ON CONFLICT (customer_id, promotion)"
    "   DO UPDATE SET used = u.used OPERATOR(pg_catalog.+) 1"
    "   WHERE u.used OPERATOR(pg_catalog.<)"
    "     ($10::pg_catalog.int4[])[pg_catalog.array_position($9::pg_catalog.text[], u.promotion)]"
    " RETURNING u.promotion),"
    " claimed AS ("
    " INSERT INTO promo.orders (order_id, customer_id, cart_digest, result)"
    " SELECT $2, $1, pg_catalog.sha256(pg_catalog.convert_to($11::pg_catalog.text, 'UTF8')), $12"
    "  WHERE (SELECT pg_catalog.count(*) FROM usage)"
    "        OPERATOR(pg_catalog.=) pg_catalog.cardinality($9::pg_catalog.text[])"
    " ON CONFLICT (order_id) DO NOTHING RETURNING 1),"
    " redemptions AS ("
    " INSERT INTO promo.redemptions (customer_id, order_id, promotion, tier, amount, code, slot,"
    "   budgeted)"
    " SELECT $1, $2, x.promotion, x.tier, x.amount, NULLIF(x.code, ''), NULLIF(x.slot, -1),"
    "   x.budgeted"
    "   FROM ROWS FROM (pg_catalog.unnest($3::pg_catalog.text[]),"
    "     pg_catalog.unnest($4::pg_catalog.text[]), pg_catalog.unnest($5::pg_catalog.int8[]),"
    "     pg_catalog.unnest($6::pg_catalog.text[]), pg_catalog.unnest($7::pg_catalog.int4[]),"
    "     pg_catalog.unnest($8::pg_catalog.bool[]))"
    "     AS x(promotion, tier, amount, code, slot, budgeted)"
    "  WHERE EXISTS (SELECT FROM claimed))"
    " SELECT EXISTS (SELECT FROM claimed), u.promotion"
    "   FROM (VALUES (1)) AS one(x) LEFT JOIN usage u ON true";
// record_order for exactly one applied promotion (the common case), with scalar arguments:
// the same three writes and the same result row, without the arrays and the function scans
// that unnest them. $3..$8: promotion, tier, amount, code, slot (NULL when none), budgeted;
// $9: the per_customer_limit (INT4 max when none).
constexpr const char* kRecordOneOrder =
    "WITH usage AS ("
    " INSERT INTO promo.customer_usage AS u (customer_id, promotion, used) VALUES ($1, $3, 1)"
    " ON CONFLICT (customer_id, promotion)"
    "   DO UPDATE SET used = u.used OPERATOR(pg_catalog.+) 1"
    "   WHERE u.used OPERATOR(pg_catalog.<) $9"
    " RETURNING u.promotion),"
    " claimed AS ("
    " INSERT INTO promo.orders (order_id, customer_id, cart_digest, result)"
    " SELECT $2, $1, pg_catalog.sha256(pg_catalog.convert_to($10::pg_catalog.text, 'UTF8')), $11"
    "   FROM usage"
    " ON CONFLICT (order_id) DO NOTHING RETURNING 1),"
    " redemptions AS ("
    " INSERT INTO promo.redemptions (customer_id, order_id, promotion, tier, amount, code, slot,"
    "   budgeted)"
    " SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM claimed)"
    " SELECT EXISTS (SELECT FROM claimed), (SELECT u.promotion FROM usage u)";
constexpr const char* kInsertEvent =
    "INSERT INTO promo.events (customer_id, type, occurred_at, properties, source, source_key)"
    " VALUES ($1, $2, $3, pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
    "   'code', $4, 'promotion', $5, 'order_id', $6, 'referred_customer_id', $7)),"
    "   'promo.redemptions', $6)";

// A statement with its kept plan and argument types.
struct Statement {
  const char* query;
  int argument_count;
  Oid types[12];
  SPIPlanPtr plan;
};

Statement existing_order{kExistingOrder, 3, {TEXTOID, TEXTOID, JSONBOID}, nullptr};
Statement give_customer{kGiveCustomer, 2, {TEXTOID, TEXTOID}, nullptr};
Statement open_slots{kOpenSlots, 2, {TEXTOID, INT4OID}, nullptr};
Statement take_slot{kTakeSlot, 2, {TEXTOID, INT4OID}, nullptr};
Statement give_slot{kGiveSlot, 2, {TEXTOID, INT4OID}, nullptr};
Statement take_budget{kTakeBudget, 2, {TEXTOID, INT8OID}, nullptr};
Statement budget_left{kBudgetLeft, 1, {TEXTOID}, nullptr};
Statement give_budget{kGiveBudget, 2, {TEXTOID, INT8OID}, nullptr};
Statement take_code{kTakeCode, 1, {TEXTOID}, nullptr};
Statement give_code{kGiveCode, 1, {TEXTOID}, nullptr};
Statement record_order{kRecordOrder,
                       12,
                       {TEXTOID, TEXTOID, TEXTARRAYOID, TEXTARRAYOID, INT8ARRAYOID, TEXTARRAYOID,
                        INT4ARRAYOID, BOOLARRAYOID, TEXTARRAYOID, INT4ARRAYOID, JSONBOID, JSONBOID},
                       nullptr};
Statement record_one_order{kRecordOneOrder,
                           11,
                           {TEXTOID, TEXTOID, TEXTOID, TEXTOID, INT8OID, TEXTOID, INT4OID, BOOLOID,
                            INT4OID, JSONBOID, JSONBOID},
                           nullptr};
Statement insert_event{kInsertEvent,
                       7,
                       {TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID},
                       nullptr};

// One argument: a value or SQL NULL.
struct Argument {
  Datum value;
  bool is_null;
};

// A text datum (palloc'd) of `text`.
Argument text_argument(std::string_view text) {
  const char* data = text.data();
  int length = static_cast<int>(text.size());
  return Argument{
      pg_guard([data, length] { return PointerGetDatum(cstring_to_text_with_len(data, length)); }),
      false};
}

// Runs `statement` with fresh snapshots (read_only = false) and returns the rows processed.
uint64 run(Statement& statement, std::initializer_list<Argument> arguments, int expected) {
  Statement* s = &statement;
  pg_guard([s] { promo::pg::kept_plan(&s->plan, s->query, s->argument_count, s->types); });
  Datum values[12];
  char nulls[13] = {};
  int i = 0;
  for (const Argument& argument : arguments) {
    values[i] = argument.value;
    nulls[i] = argument.is_null ? 'n' : ' ';
    ++i;
  }
  int status =
      pg_guard([s, &values, &nulls] { return SPI_execute_plan(s->plan, values, nulls, false, 0); });
  if (status != expected) {
    throw promo::Error(
        promo::sqlstate::kInternalError,
        std::string("promo: redeem statement failed: ") + SPI_result_code_string(status));
  }
  return SPI_processed;
}

// What one pass reserved for one applied promotion, to record it or to undo it.
struct Reservation {
  std::string promotion;
  bool counted_customer = false;
  int32_t slot = -1;
  int64_t budgeted = 0;
  bool has_budget = false;
  std::string code;
};

// The customer's preferred slot, so unrelated customers rarely meet on one slot row.
int32_t home_slot(const std::string& customer_id) {
  uint32 hash = hash_bytes(reinterpret_cast<const unsigned char*>(customer_id.data()),
                           static_cast<int>(customer_id.size()));
  return static_cast<int32_t>(hash % kSlotCount);
}

// The limits of `promotion`, or nullptr when it has none.
const promo::PromotionLimits* limits_of(const promo::RuleSet& rules, std::string_view promotion) {
  for (const promo::PromotionLimits& limits : rules.gated_promotions()) {
    if (limits.name == promotion) return &limits;
  }
  return nullptr;
}

// Undoes the reservations of a pass (compensating guarded updates, same transaction).
void undo(const std::string& customer_id, const std::vector<Reservation>& reservations) {
  for (const Reservation& r : reservations) {
    if (r.counted_customer) {
      run(give_customer, {text_argument(customer_id), text_argument(r.promotion)}, SPI_OK_UPDATE);
    }
    if (r.slot >= 0) {
      run(give_slot, {text_argument(r.promotion), Argument{Int32GetDatum(r.slot), false}},
          SPI_OK_UPDATE);
    }
    if (r.has_budget) {
      run(give_budget, {text_argument(r.promotion), Argument{Int64GetDatum(r.budgeted), false}},
          SPI_OK_UPDATE);
    }
    if (!r.code.empty()) run(give_code, {text_argument(r.code)}, SPI_OK_UPDATE);
  }
}

// Takes one unit of a total_limit slot; false when every slot is full. The open slots are
// read, then taken with a guarded UPDATE each; a guarded UPDATE that waited on a concurrent
// change (a redemption, a rollback, a total_limit re-split) re-checks the new row version. When
// none of the candidates matched, the open slots are read again with a fresh snapshot (READ
// COMMITTED), so a re-split that committed meanwhile is seen and never reported as a reached
// limit; under REPEATABLE READ the guarded UPDATE raises 40001 instead.
bool take_slot_unit(const std::string& customer_id, const std::string& promotion, int32_t* slot) {
  // The customer's own slot first, without reading the open slots: the scan below would try it
  // first as well, and while a limit is far from reached it has room, so one statement does.
  int32_t home = home_slot(customer_id);
  if (run(take_slot, {text_argument(promotion), Argument{Int32GetDatum(home), false}},
          SPI_OK_UPDATE_RETURNING) == 1) {
    *slot = home;
    return true;
  }
  constexpr int kMaxRounds = 64;
  for (int round = 0; round < kMaxRounds; ++round) {
    uint64 count = run(open_slots, {text_argument(promotion), Argument{Int32GetDatum(home), false}},
                       SPI_OK_SELECT);
    std::vector<int32_t> candidates;
    for (uint64 row = 0; row < count; ++row) {
      bool is_null = false;
      candidates.push_back(DatumGetInt32(promo::pg::result_value(row, 1, &is_null)));
    }
    promo::pg::free_result();
    if (candidates.empty()) return false;
    for (int32_t candidate : candidates) {
      if (run(take_slot, {text_argument(promotion), Argument{Int32GetDatum(candidate), false}},
              SPI_OK_UPDATE_RETURNING) == 1) {
        *slot = candidate;
        return true;
      }
    }
  }
  throw promo::Error("40001", "could not take a unit of the total limit of '" + promotion + "'",
                     "its slots changed concurrently too often", "retry the transaction");
}

// The budget left of `promotion`, read fresh (0 when its row is gone).
int64_t fresh_budget_left(const std::string& promotion) {
  uint64 count = run(budget_left, {text_argument(promotion)}, SPI_OK_SELECT);
  int64_t left = 0;
  if (count == 1) {
    bool is_null = false;
    Datum value = promo::pg::result_value(0, 1, &is_null);
    if (!is_null) left = std::max<int64_t>(0, DatumGetInt64(value));
  }
  promo::pg::free_result();
  return left;
}

// Reserves, in order, the total_limit units, budget amounts and code uses `result` grants (the
// customer usage is counted by record_order). On a failed reservation, undoes the pass, adjusts
// `gates` so the next evaluation accounts for it, and returns false.
bool reserve(const promo::RuleSet& rules, const std::string& customer_id,
             const promo::Result& result, promo::RedemptionGates& gates,
             std::vector<Reservation>& reservations) {
  reservations.clear();
  for (const promo::AppliedPromotion& applied : result.applied) {
    Reservation& r = reservations.emplace_back();
    r.promotion = applied.promotion;
    const promo::PromotionLimits* limits = limits_of(rules, applied.promotion);
    std::string failure_code;
    std::string failure_reason;
    if (failure_code.empty() && limits != nullptr && limits->total_limit) {
      if (!take_slot_unit(customer_id, applied.promotion, &r.slot)) {
        failure_code = promo::explain::kLimitReached;
        failure_reason = promo::explain::total_limit_reached(*limits->total_limit);
      }
    }
    if (failure_code.empty() && limits != nullptr && limits->budget && applied.discount > 0) {
      if (run(take_budget,
              {text_argument(applied.promotion), Argument{Int64GetDatum(applied.discount), false}},
              SPI_OK_UPDATE_RETURNING) == 1) {
        r.has_budget = true;
        r.budgeted = applied.discount;
      } else {
        int64_t left = fresh_budget_left(applied.promotion);
        undo(customer_id, reservations);
        promo::PromotionGate& gate = gates.promotions[applied.promotion];
        if (left <= 0) {
          gate.blocked_code = promo::explain::kBudgetExhausted;
          gate.blocked_reason = promo::explain::budget_exhausted(*limits->budget, limits->currency);
        } else {
          gate.cap = left;
        }
        return false;
      }
    }
    if (failure_code.empty() && !applied.code.empty()) {
      if (run(take_code, {text_argument(applied.code)}, SPI_OK_UPDATE_RETURNING) == 1) {
        r.code = applied.code;
      } else {
        undo(customer_id, reservations);
        for (promo::CartCode& code : gates.codes) {
          if (code.code == applied.code) code.status = promo::CodeStatus::kUsedUp;
        }
        return false;
      }
    }
    if (!failure_code.empty()) {
      undo(customer_id, reservations);
      promo::PromotionGate& gate = gates.promotions[applied.promotion];
      gate.blocked_code = failure_code;
      gate.blocked_reason = failure_reason;
      return false;
    }
  }
  return true;
}

// An array datum of fixed-size `values` (int4, int8 or bool), palloc'd in the current context.
template <typename T>
Datum fixed_array(const std::vector<T>& values, Oid element_type, Datum (*to_datum)(T)) {
  std::vector<Datum> elements;
  for (const T& value : values) elements.push_back(to_datum(value));
  const Datum* data = elements.data();
  int count = static_cast<int>(elements.size());
  return pg_guard([data, count, element_type] {
    int16 length;
    bool by_value;
    char align;
    get_typlenbyvalalign(element_type, &length, &by_value, &align);
    return PointerGetDatum(
        construct_array(const_cast<Datum*>(data), count, element_type, length, by_value, align));
  });
}

Datum int64_datum(int64_t value) {
  return Int64GetDatum(value);
}
Datum int32_datum(int32_t value) {
  return Int32GetDatum(value);
}
Datum bool_datum(bool value) {
  return BoolGetDatum(value);
}

// What record_order did with a pass.
enum class Recorded {
  kDone,          // usage counted, order and redemptions written
  kLimitReached,  // a per_customer_limit guard failed: nothing but some usage written
  kOrderUsed,     // the order_id was used already: nothing but the usage written
};

// Runs record_order (record_one_order for a single applied promotion) for a reserved pass: counts
// the usage of every applied promotion (guarded by its per_customer_limit) and, when every guard
// held, writes the order with `document` and the redemption rows. The promotions whose usage was
// counted are marked in `reservations` (counted_customer), so undo() gives them back when the pass
// does not stand.
Recorded record(const std::string& customer_id, const std::string& order_id,
                const promo::RuleSet& rules, const promo::Result& result, Jsonb* cart_document,
                Jsonb* document, std::vector<Reservation>& reservations,
                promo::pg::UsageRows& usage_rows) {
  std::vector<std::string> promotions, tiers, codes;
  std::vector<int64_t> amounts;
  std::vector<int32_t> slots, limits;
  std::vector<bool> budgeted;
  for (size_t i = 0; i < result.applied.size(); ++i) {
    const promo::AppliedPromotion& applied = result.applied[i];
    const Reservation& r = reservations[i];
    promotions.push_back(applied.promotion);
    tiers.push_back(applied.tier);
    amounts.push_back(applied.discount);
    codes.push_back(applied.code);
    slots.push_back(r.slot < 0 ? -1 : r.slot);
    budgeted.push_back(r.has_budget);
    const promo::PromotionLimits* promotion_limits = limits_of(rules, applied.promotion);
    limits.push_back(promotion_limits != nullptr && promotion_limits->per_customer_limit
                         ? static_cast<int32_t>(
                               std::min<int64_t>(*promotion_limits->per_customer_limit, INT32_MAX))
                         : INT32_MAX);
  }
  std::vector<promo::pg::DirectRedemption> direct;
  for (size_t i = 0; i < result.applied.size(); ++i) {
    const promo::AppliedPromotion& applied = result.applied[i];
    direct.push_back(promo::pg::DirectRedemption{
        applied.promotion.data(), static_cast<int>(applied.promotion.size()), applied.tier.data(),
        static_cast<int>(applied.tier.size()), applied.discount,
        applied.code.empty() ? nullptr : applied.code.data(), static_cast<int>(applied.code.size()),
        slots[i], budgeted[i], -1});
    for (const auto& [promotion, exists] : usage_rows) {
      if (promotion == applied.promotion) direct.back().usage_row = exists ? 1 : 0;
    }
  }
  const promo::pg::DirectRedemption* direct_rows = direct.data();
  int direct_count = static_cast<int>(direct.size());
  const std::string* customer = &customer_id;
  const std::string* order = &order_id;
  promo::pg::DirectRecording direct_recording =
      pg_guard([customer, order, direct_rows, direct_count, cart_document, document] {
        return promo::pg::record_redemption_directly(
            customer->data(), static_cast<int>(customer->size()), order->data(),
            static_cast<int>(order->size()), direct_rows, direct_count, cart_document, document);
      });
  if (direct_recording == promo::pg::DirectRecording::kRecorded) {
    for (Reservation& r : reservations) r.counted_customer = true;
    return Recorded::kDone;
  }
  if (direct_recording == promo::pg::DirectRecording::kOrderUsed) return Recorded::kOrderUsed;
  // The statement may create usage rows (kept with used 0 when the pass is undone): what the
  // counter read saw no longer holds for later passes.
  usage_rows.clear();
  uint64 rows = 0;
  if (result.applied.size() == 1) {
    const promo::AppliedPromotion& applied = result.applied[0];
    rows = run(
        record_one_order,
        {text_argument(customer_id), text_argument(order_id), text_argument(applied.promotion),
         text_argument(applied.tier), Argument{Int64GetDatum(applied.discount), false},
         applied.code.empty() ? Argument{PointerGetDatum(nullptr), true}
                              : text_argument(applied.code),
         Argument{Int32GetDatum(slots[0]), slots[0] < 0},
         Argument{BoolGetDatum(budgeted[0]), false}, Argument{Int32GetDatum(limits[0]), false},
         Argument{JsonbPGetDatum(cart_document), false}, Argument{JsonbPGetDatum(document), false}},
        SPI_OK_SELECT);
  } else {
    Datum promotion_array = promo::pg::text_array(promotions);
    rows = run(
        record_order,
        {text_argument(customer_id), text_argument(order_id), Argument{promotion_array, false},
         Argument{promo::pg::text_array(tiers), false},
         Argument{fixed_array<int64_t>(amounts, INT8OID, int64_datum), false},
         Argument{promo::pg::text_array(codes), false},
         Argument{fixed_array<int32_t>(slots, INT4OID, int32_datum), false},
         Argument{fixed_array<bool>(budgeted, BOOLOID, bool_datum), false},
         Argument{promotion_array, false},
         Argument{fixed_array<int32_t>(limits, INT4OID, int32_datum), false},
         Argument{JsonbPGetDatum(cart_document), false}, Argument{JsonbPGetDatum(document), false}},
        SPI_OK_SELECT);
  }
  // One row per counted promotion (promotion NULL when none was), each with the claim flag.
  bool claimed = false;
  size_t counted = 0;
  for (uint64 row = 0; row < rows; ++row) {
    bool is_null = false;
    claimed = DatumGetBool(promo::pg::result_value(row, 1, &is_null));
    Datum promotion = promo::pg::result_value(row, 2, &is_null);
    if (is_null) continue;
    std::string_view name = promo::pg::text_value(promotion);
    for (size_t i = 0; i < result.applied.size(); ++i) {
      if (result.applied[i].promotion == name) reservations[i].counted_customer = true;
    }
    ++counted;
  }
  promo::pg::free_result();
  if (counted < result.applied.size()) return Recorded::kLimitReached;
  return claimed ? Recorded::kDone : Recorded::kOrderUsed;
}

// Writes the coupon_redeemed and referral_completed events of the codes a recorded result used.
void record_code_events(const std::string& customer_id, const std::string& order_id, int64_t at,
                        const promo::Result& result, const promo::RedemptionGates* gates) {
  for (const promo::AppliedPromotion& applied : result.applied) {
    if (applied.code.empty()) continue;
    std::optional<std::string> code = applied.code;
    Argument when{TimestampTzGetDatum(promo::pg::postgres_time(at)), false};
    run(insert_event,
        {text_argument(customer_id), text_argument("coupon_redeemed"), when, text_argument(*code),
         text_argument(applied.promotion), text_argument(order_id),
         Argument{PointerGetDatum(nullptr), true}},
        SPI_OK_INSERT);
    std::optional<std::string> owner;
    if (gates != nullptr) {
      for (const promo::CartCode& cart_code : gates->codes) {
        if (cart_code.code == *code) owner = cart_code.owner_customer_id;
      }
    }
    if (owner && *owner != customer_id) {
      run(insert_event,
          {text_argument(*owner), text_argument("referral_completed"), when, text_argument(*code),
           text_argument(applied.promotion), text_argument(order_id), text_argument(customer_id)},
          SPI_OK_INSERT);
    }
  }
}

// Takes the customer's redeem lock, the same one rollback_redemption takes in SQL
// (pg_advisory_xact_lock(1886547822, hashtext(customer_id))), without a statement.
void lock_customer(const std::string& customer_id) {
  const char* data = customer_id.data();
  int length = static_cast<int>(customer_id.size());
  pg_guard([data, length] {
    Datum key = PointerGetDatum(cstring_to_text_with_len(data, length));
    Datum hash = DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID, key);
    DirectFunctionCall2(pg_advisory_xact_lock_int4, Int32GetDatum(kRedeemLockClass), hash);
  });
}

// Takes promo.customer_usage in ROW EXCLUSIVE mode before the promotions are read: a deletion
// or rename of a promotion (SHARE ROW EXCLUSIVE, usage_cascade.cpp) then either waits for this
// redemption or has committed before it, and its invalidation is processed here with the lock,
// so no usage row is written for a promotion that is gone. A fast-path lock: redemptions do not
// contend for it (the foreign key it replaces share-locked the promotion's row).
void lock_usage_table() {
  pg_guard([] {
    Oid relid = get_relname_relid("customer_usage", get_namespace_oid("promo", false));
    if (!OidIsValid(relid)) elog(ERROR, "promo: table promo.customer_usage not found");
    LockRelationOid(relid, RowExclusiveLock);
  });
}

// The stored result of an order_id already used, or an error naming the order.
Datum replay_order(const std::string& customer_id, const std::string& order_id, Jsonb* cart) {
  uint64 count = run(
      existing_order,
      {text_argument(order_id), text_argument(customer_id), Argument{JsonbPGetDatum(cart), false}},
      SPI_OK_SELECT);
  if (count != 1) {
    throw promo::Error("40001", "order '" + order_id + "' is being redeemed concurrently", "",
                       "retry the transaction");
  }
  bool is_null = false;
  bool same_customer = DatumGetBool(promo::pg::result_value(0, 1, &is_null));
  bool same_cart = DatumGetBool(promo::pg::result_value(0, 2, &is_null));
  bool rolled_back = DatumGetBool(promo::pg::result_value(0, 3, &is_null));
  Datum stored = promo::pg::result_value(0, 4, &is_null);
  if (rolled_back) {
    throw promo::Error("55000", "order '" + order_id + "' was rolled back",
                       "a rolled back order cannot be redeemed again", "use a new order_id");
  }
  if (!same_customer) {
    throw promo::Error("23505",
                       "order '" + order_id + "' was already redeemed by another customer");
  }
  if (!same_cart) {
    throw promo::Error("23505",
                       "order '" + order_id + "' was already redeemed with a different cart");
  }
  if (is_null) {
    throw promo::Error(promo::sqlstate::kInternalError, "order '" + order_id + "' has no result");
  }
  // Copy out of SPI memory into the caller's context.
  return pg_guard([stored] { return SPI_datumTransfer(stored, false, -1); });
}

// The C++ body of promo.redeem (see the file comment).
Datum redeem_body(const std::string& customer_id, Jsonb* cart_document, const std::string& order_id,
                  int64_t at) {
  promo::Cart cart = promo::pg::decode_jsonb_cart(cart_document);
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  lock_customer(customer_id);
  lock_usage_table();

  std::shared_ptr<const promo::RuleSet> rules = promo::pg::current_rule_set();
  promo::EvalOptions options;
  options.at = at;
  options.poll = &promo::pg::interrupts_pending;
  promo::pg::EvaluationInputs inputs;
  promo::pg::load_evaluation_inputs(*rules, customer_id.c_str(), at, cart, true, inputs);
  inputs.apply(options);
  promo::RedemptionGates& gates = inputs.gates;
  promo::Result result;
  std::vector<Reservation> reservations;
  Jsonb* document = nullptr;
  // Each failed pass blocks or caps one promotion (a usage guard may block several), or uses up
  // one code; budgets drained by concurrent redemptions may cap the same promotion again, hence
  // the margin.
  const size_t max_passes = 2 * (rules->gated_promotions().size() + gates.codes.size()) + 2;
  for (size_t pass = 0;; ++pass) {
    if (pass == max_passes) {
      throw promo::Error("40001", "could not reserve the promotions of order '" + order_id + "'",
                         "the limits changed concurrently too often", "retry the transaction");
    }
    result = rules->evaluate(cart, options);
    if (!reserve(*rules, customer_id, result, gates, reservations)) {
      options.gates = &gates;
      continue;
    }
    document = promo::pg::result_to_jsonb(result);
    Recorded recorded = record(customer_id, order_id, *rules, result, cart_document, document,
                               reservations, inputs.usage_rows);
    if (recorded == Recorded::kDone) break;
    undo(customer_id, reservations);
    if (recorded == Recorded::kOrderUsed) {
      // A retry (or another customer's order): nothing of this pass stays.
      Datum stored = replay_order(customer_id, order_id, cart_document);
      pg_guard([] { SPI_finish(); });
      return stored;
    }
    // A per_customer_limit was reached (the limit was lowered, or a rollback and a redemption
    // crossed): block the promotions whose usage was not counted and evaluate again.
    for (size_t i = 0; i < result.applied.size(); ++i) {
      if (reservations[i].counted_customer) continue;
      const promo::PromotionLimits* limits = limits_of(*rules, result.applied[i].promotion);
      if (limits == nullptr || !limits->per_customer_limit) {
        throw promo::Error(promo::sqlstate::kInternalError,
                           "promo: usage of '" + result.applied[i].promotion + "' not counted");
      }
      promo::PromotionGate& gate = gates.promotions[result.applied[i].promotion];
      gate.blocked_code = promo::explain::kLimitReached;
      gate.blocked_reason = promo::explain::customer_limit_reached(
          static_cast<int32>(std::min<int64_t>(*limits->per_customer_limit, INT32_MAX)));
    }
    options.gates = &gates;
  }
  record_code_events(customer_id, order_id, at, result, options.gates);
  // The document lives in SPI memory: copy it to the caller's context before SPI_finish.
  Datum returned =
      pg_guard([document] { return SPI_datumTransfer(JsonbPGetDatum(document), false, -1); });
  pg_guard([] { SPI_finish(); });
  return returned;
}

}  // namespace

PROMO_PG_FUNCTION(promo_redeem)

// Entry point. Arguments are checked and read here, in C style, before any C++ object exists.
Datum promo_redeem(PG_FUNCTION_ARGS) {
  const char* names[4] = {"customer_id", "cart", "order_id", "at"};
  for (int i = 0; i < 4; ++i) {
    if (PG_ARGISNULL(i)) {
      ereport(ERROR,
              (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be null", names[i])));
    }
  }
  const char* customer_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
  Jsonb* cart = PG_GETARG_JSONB_P(1);
  const char* order_id = text_to_cstring(PG_GETARG_TEXT_PP(2));
  TimestampTz at = PG_GETARG_TIMESTAMPTZ(3);
  if (customer_id[0] == '\0') {
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("customer_id must not be empty")));
  }
  if (order_id[0] == '\0') {
    ereport(ERROR,
            (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("order_id must not be empty")));
  }
  std::optional<int64_t> at_micros = promo::pg::to_unix_micros(at);
  if (!at_micros) {
    ereport(ERROR, (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
                    errmsg("at must be a finite timestamp, got %s", timestamptz_to_str(at))));
  }
  int64_t at_value = *at_micros;
  return promo::pg::call_cpp(
      [&] { return redeem_body(std::string(customer_id), cart, std::string(order_id), at_value); });
}
