// Reading what the redemption gates need (see core/redemption.hpp): the counters of the active
// promotions with limits (customer usage, total over the slots, budget used) and the cart's
// codes from promo.codes. evaluate_cart reads them with its snapshot; redeem reads them fresh,
// after taking the customer's lock. Counters are read by index scans (counter_reads.hpp), codes
// by a statement. Nothing is read when no active promotion has a limit or
// requires a code and the cart carries no code.
#pragma once

#include "core/cart.hpp"
#include "core/engine.hpp"
#include "core/redemption.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// What the counter reads saw of the customer's promo.customer_usage rows: per promotion read
// (those with a per_customer_limit), whether its row exists. redeem writes a first usage row
// directly when it knows there is none (redemption_direct.hpp).
using UsageRows = std::vector<std::pair<std::string, bool>>;

// Fills `gates` for `customer_id` (null: a guest) and `cart`. Returns false (gates untouched)
// when there is nothing to read. fresh = true: each query takes a new snapshot (READ
// COMMITTED), for redeem. Connects to SPI itself when it reads codes. Throws PgError /
// promo::Error. usage_rows, when given, receives what the index-scan reads saw (nothing when the
// counters are read by a statement).
bool load_redemption_gates(const promo::RuleSet& rules, const char* customer_id,
                           const promo::Cart& cart, bool fresh, promo::RedemptionGates& gates,
                           UsageRows* usage_rows = nullptr);

}  // namespace promo::pg
