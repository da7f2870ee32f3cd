// Writes the engine's Result as the jsonb that evaluate_cart returns (keys as in the public
// contract, docs api.md).
#pragma once

#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// Builds the result document in the current memory context. Throws PgError.
Jsonb* result_to_jsonb(const promo::Result& result);

}  // namespace promo::pg
