// Reads the cart argument straight from jsonb's binary form into the engine's Cart.
#pragma once

#include "core/cart.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Walks `cart` with the jsonb iterator, feeding a promo::CartDecoder (which validates while it
// reads and polls for interrupts). No text round trip. Throws promo::Error naming the path of
// the first bad value, promo::Interrupted, or PgError.
promo::Cart decode_jsonb_cart(Jsonb* cart);

}  // namespace promo::pg
