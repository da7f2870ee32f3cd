// Redemption gates loading (see redemption_gates.hpp).
#include "core/cart.hpp"
#include "core/engine.hpp"
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/counter_reads.hpp"
#include "pg/error_bridge.hpp"
#include "pg/redemption_gates.hpp"
#include "pg/spi_support.hpp"

extern "C" {
#include "catalog/pg_type.h"
}

namespace promo::pg {

namespace {

// The counters by a statement, for Citus (see read_counters_by_statement).
constexpr const char* kCountersQuery =
    "SELECT n.name,"
    " (SELECT u.used FROM promo.customer_usage u"
    "   WHERE u.customer_id OPERATOR(pg_catalog.=) $1"
    "     AND u.promotion OPERATOR(pg_catalog.=) n.name),"
    " (SELECT pg_catalog.sum(s.used)::pg_catalog.int8 FROM promo.promotion_slots s"
    "   WHERE s.promotion OPERATOR(pg_catalog.=) n.name),"
    " (SELECT b.used FROM promo.promotion_budget b WHERE b.promotion OPERATOR(pg_catalog.=) n.name)"
    " FROM pg_catalog.unnest($2) AS n(name)";

constexpr const char* kCodesQuery =
    "SELECT c.code, c.promotion, c.customer_id, c.owner_customer_id,"
    "       c.kind OPERATOR(pg_catalog.=) 'referral', c.max_uses, c.uses"
    "  FROM promo.codes c WHERE c.code OPERATOR(pg_catalog.=) ANY ($1)";

// An optional text column of the current row.
std::optional<std::string> optional_text(uint64 row, int column) {
  bool is_null = false;
  Datum value = result_value(row, column, &is_null);
  if (is_null) return std::nullopt;
  return std::string(text_value(value));
}

// An integer column (int4 or int8 by `wide`), 0 when NULL.
int64_t integer_or_zero(uint64 row, int column, bool wide) {
  bool is_null = false;
  Datum value = result_value(row, column, &is_null);
  if (is_null) return 0;
  return wide ? DatumGetInt64(value) : DatumGetInt32(value);
}

// Fills `reads` with one statement instead of index scans: with Citus loaded, whose distributed
// tables hold their rows in shards that only its planner reaches. Connects to SPI itself.
void read_counters_by_statement(const char* customer_id, bool fresh,
                                std::vector<CounterRead>& reads) {
  std::vector<std::string> names;
  for (const CounterRead& read : reads) names.emplace_back(read.promotion, read.promotion_length);
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[2] = {TEXTOID, TEXTARRAYOID};
    kept_plan(&plan, kCountersQuery, 2, types);
  });
  Datum customer =
      customer_id != nullptr
          ? pg_guard([customer_id] { return PointerGetDatum(cstring_to_text(customer_id)); })
          : PointerGetDatum(nullptr);
  Datum arguments[2] = {customer, text_array(names)};
  const char nulls[3] = {customer_id != nullptr ? ' ' : 'n', ' ', '\0'};
  int status = pg_guard(
      [&arguments, &nulls, fresh] { return SPI_execute_plan(plan, arguments, nulls, !fresh, 0); });
  if (status != SPI_OK_SELECT) {
    throw promo::Error(promo::sqlstate::kInternalError, "promo: reading counters failed");
  }
  uint64 count = SPI_processed;
  for (uint64 row = 0; row < count; ++row) {
    std::optional<std::string> name = optional_text(row, 1);
    for (size_t i = 0; name && i < reads.size(); ++i) {
      if (names[i] != *name) continue;
      reads[i].customer_used = reads[i].customer ? integer_or_zero(row, 2, false) : 0;
      reads[i].total_used = integer_or_zero(row, 3, true);
      reads[i].budget_used = integer_or_zero(row, 4, true);
    }
  }
  free_result();
  pg_guard([] { SPI_finish(); });
}

// Counters of the promotions with limits (only those their limits need), turned into gates.
void load_counters(const std::vector<promo::PromotionLimits>& limited, const char* customer_id,
                   bool fresh, promo::RedemptionGates& gates, UsageRows* usage_rows) {
  std::vector<const promo::PromotionLimits*> counted;
  std::vector<CounterRead> reads;
  for (const promo::PromotionLimits& limits : limited) {
    if (!limits.has_counters()) continue;
    CounterRead& read = reads.emplace_back();
    read.promotion = limits.name.data();
    read.promotion_length = static_cast<int>(limits.name.size());
    read.customer = customer_id != nullptr && limits.per_customer_limit.has_value();
    read.total = limits.total_limit.has_value();
    read.budget = limits.budget.has_value();
    counted.push_back(&limits);
  }
  if (reads.empty()) return;
  if (pg_guard([] { return counters_by_index_scan(); })) {
    CounterRead* data = reads.data();
    int count = static_cast<int>(reads.size());
    int customer_length = customer_id != nullptr ? static_cast<int>(std::strlen(customer_id)) : 0;
    pg_guard([customer_id, customer_length, data, count, fresh] {
      read_counters(customer_id, customer_length, data, count, fresh);
    });
    for (const CounterRead& read : reads) {
      if (usage_rows != nullptr && read.customer) {
        usage_rows->emplace_back(std::string(read.promotion, read.promotion_length),
                                 read.customer_row);
      }
    }
  } else {
    read_counters_by_statement(customer_id, fresh, reads);
  }
  for (size_t i = 0; i < reads.size(); ++i) {
    promo::PromotionUsage usage;
    usage.customer_used = reads[i].customer_used;
    usage.total_used = reads[i].total_used;
    usage.budget_used = reads[i].budget_used;
    promo::PromotionGate gate = promo::limit_gate(*counted[i], usage, customer_id != nullptr);
    if (!gate.blocked_code.empty() || gate.cap)
      gates.promotions[counted[i]->name] = std::move(gate);
  }
}

// The cart's codes with their rows and statuses, in cart order.
void load_codes(const std::vector<std::string>& codes, const char* customer_id, bool fresh,
                promo::RedemptionGates& gates) {
  for (const std::string& code : codes) {
    gates.codes.push_back(promo::CartCode{code, "", promo::CodeStatus::kUnknown, std::nullopt});
  }
  static SPIPlanPtr plan = nullptr;
  pg_guard([] {
    Oid types[1] = {TEXTARRAYOID};
    kept_plan(&plan, kCodesQuery, 1, types);
  });
  Datum arguments[1] = {text_array(codes)};
  uint64 count = run_plan(plan, arguments, !fresh, SPI_OK_SELECT);
  std::optional<std::string> customer;
  if (customer_id != nullptr) customer = customer_id;
  for (uint64 row = 0; row < count; ++row) {
    promo::CodeRow code;
    code.code = optional_text(row, 1).value_or("");
    code.promotion = optional_text(row, 2).value_or("");
    code.customer_id = optional_text(row, 3);
    code.owner_customer_id = optional_text(row, 4);
    bool is_null = false;
    code.referral = DatumGetBool(result_value(row, 5, &is_null));
    Datum max_uses = result_value(row, 6, &is_null);
    if (!is_null) code.max_uses = DatumGetInt32(max_uses);
    code.uses = integer_or_zero(row, 7, false);
    for (promo::CartCode& cart_code : gates.codes) {
      if (cart_code.code != code.code) continue;
      cart_code.promotion = code.promotion;
      cart_code.status = promo::code_status(code, customer);
      cart_code.owner_customer_id = code.owner_customer_id;
    }
  }
  free_result();
}

}  // namespace

bool load_redemption_gates(const promo::RuleSet& rules, const char* customer_id,
                           const promo::Cart& cart, bool fresh, promo::RedemptionGates& gates,
                           UsageRows* usage_rows) {
  const std::vector<promo::PromotionLimits>& limited = rules.gated_promotions();
  if (limited.empty() && cart.codes.empty()) return false;
  std::vector<std::string> codes = promo::normalize_codes(cart.codes);
  load_counters(limited, customer_id, fresh, gates, usage_rows);
  if (!codes.empty()) {
    pg_guard([] {
      if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
    });
    load_codes(codes, customer_id, fresh, gates);
    pg_guard([] { SPI_finish(); });
  }
  return true;
}

}  // namespace promo::pg
