// The per-backend cache of compiled promotions. Definitions are loaded from promo.promotions
// and promo.tiers once, compiled into an immutable promo::RuleSet, and reused by every call
// until a definition change (relcache invalidation on either table, sent by the statement
// triggers) or an abort that may have cached uncommitted definitions marks it stale.
#pragma once

#include "core/engine.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// The rule set for this call. Processes pending invalidations first, so a definition change
// committed by another session is seen on the next call, even inside a transaction block.
// The caller keeps the returned pointer for the whole call: an invalidation arriving mid-call
// frees nothing in use. Throws promo::Error / PgError.
std::shared_ptr<const promo::RuleSet> current_rule_set();

// Relcache callback body: marks the cache stale when `relid` is one of the definition tables
// or InvalidOid (a full reset). No catalog access, no freeing: only flips a flag.
void note_relcache_invalidation(Oid relid) noexcept;

// Transaction-end hooks. A cache built inside a transaction may contain its uncommitted
// definitions: stale on abort, trustworthy after commit.
void note_transaction_committed() noexcept;
void note_transaction_aborted() noexcept;
void note_subtransaction_aborted() noexcept;

}  // namespace promo::pg
