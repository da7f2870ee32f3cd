// Customer context for evaluate_cart (see customer_context.hpp).
#include "core/customer.hpp"
#include "core/engine.hpp"
#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

#include "pg/customer_context.hpp"
#include "pg/customer_facts.hpp"
#include "pg/error_bridge.hpp"
#include "pg/membership_store.hpp"

namespace promo::pg {

void load_customer_context(const promo::RuleSet& rules, const char* customer_id, int64_t at,
                           CustomerContext& context) {
  const promo::rule::Dependencies& needs = rules.dependencies();
  if (customer_id == nullptr) return;
  if (!needs.customer_fields && needs.event_types.empty() && needs.segments.empty()) return;
  std::vector<std::string> customers{customer_id};
  pg_guard([] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "promo: SPI_connect failed");
  });
  FactsQuery query;
  query.customers = &customers;
  query.event_types = &needs.event_types;
  query.customer_rows = needs.customer_fields;
  query.until = at;
  query.read_only = true;
  std::vector<promo::CustomerFacts> facts = load_customer_facts(query);
  context.facts = std::move(facts.front());
  const promo::SegmentSet* segments = rules.segments().get();
  if (!needs.segments.empty() && segments != nullptr) {
    std::vector<std::string> names;
    for (uint32_t id : needs.segments) names.push_back(segments->name(id));
    StoredMembership stored = load_stored_membership(customers, names, true);
    for (size_t k = 0; k < needs.segments.size(); ++k) {
      context.membership.set(needs.segments[k], std::move(stored[0][k]));
    }
  }
  pg_guard([] { SPI_finish(); });
  context.loaded = true;
}

}  // namespace promo::pg
