// The per-backend cache of compiled segments (promo.segments as a promo::SegmentSet), kept like
// the promotion cache: rebuilt after a relcache invalidation of promo.segments (sent by the
// definition trigger) or an abort that may have cached uncommitted definitions.
#pragma once

#include "core/segments.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// The segment catalogue for this call, read like catalog data (latest committed definitions
// plus this transaction's own changes). The caller holds the pointer for the whole call.
std::shared_ptr<const promo::SegmentSet> current_segment_set();

// Every segment definition as the current snapshot sees it (with the current command's own
// changes), in creation order. SPI must be connected. Throws PgError.
std::vector<promo::SegmentDefinition> read_segment_definitions();

// The OID of promo.segments (looked up on each call: cheap syscache lookups).
Oid segments_relation_id();

// Cache hooks (see definition_cache.hpp): invalidation, and transaction end.
void note_segments_invalidation(Oid relid) noexcept;
void mark_segments_stale() noexcept;
void note_segments_transaction_committed() noexcept;
void note_segments_transaction_aborted() noexcept;
void note_segments_subtransaction_aborted() noexcept;

}  // namespace promo::pg
