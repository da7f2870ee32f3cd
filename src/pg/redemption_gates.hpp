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

// Fills `gates` for `customer_id` (null: a guest) and `cart`. Returns false (gates untouched)
// when there is nothing to read. fresh = true: each query takes a new snapshot (READ
// COMMITTED), for redeem. Connects to SPI itself when it reads codes. Throws PgError /
// promo::Error.
bool load_redemption_gates(const promo::RuleSet& rules, const char* customer_id,
                           const promo::Cart& cart, bool fresh, promo::RedemptionGates& gates);

}  // namespace promo::pg
