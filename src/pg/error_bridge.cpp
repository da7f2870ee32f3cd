// The error bridge (see error_bridge.hpp): capturing C++ exceptions at the entry points and
// turning PostgreSQL errors into C++ exceptions inside C++ frames.
#include "core/error.hpp"

#include "pg/error_bridge.hpp"

namespace promo::pg {

namespace {

// Copies `text` into the current memory context without ever raising an error: inside a
// catch block a longjmp must not happen, so allocation failure falls back to `fallback`.
const char* copy_text_no_throw(const char* text, size_t length, const char* fallback) noexcept {
  if (text == nullptr) return nullptr;
  char* copy = static_cast<char*>(palloc_extended(length + 1, MCXT_ALLOC_NO_OOM));
  if (copy == nullptr) return fallback;
  memcpy(copy, text, length);
  copy[length] = '\0';
  return copy;
}

const char* copy_text_no_throw(const std::string& text, const char* fallback) noexcept {
  if (text.empty()) return nullptr;
  return copy_text_no_throw(text.data(), text.size(), fallback);
}

// Turns the engine's five-character SQLSTATE into PostgreSQL's packed code; anything
// malformed becomes XX000 (internal error) rather than an arbitrary code.
int packed_sqlstate(const char* sqlstate) noexcept {
  if (sqlstate == nullptr || strlen(sqlstate) != 5) return ERRCODE_INTERNAL_ERROR;
  for (int i = 0; i < 5; ++i) {
    char c = sqlstate[i];
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return ERRCODE_INTERNAL_ERROR;
  }
  return MAKE_SQLSTATE(sqlstate[0], sqlstate[1], sqlstate[2], sqlstate[3], sqlstate[4]);
}

}  // namespace

const char* PgError::what() const noexcept {
  return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
}

void capture_current_exception(PendingError& pending) noexcept {
  try {
    throw;
  } catch (const PgError& e) {
    pending.kind = PendingError::Kind::kPostgres;
    pending.postgres = e.data();
  } catch (const promo::Interrupted&) {
    pending.kind = PendingError::Kind::kInterrupted;
  } catch (const promo::Error& e) {
    pending.kind = PendingError::Kind::kMessage;
    pending.sqlerrcode = packed_sqlstate(e.sqlstate());
    pending.message = copy_text_no_throw(e.what(), strlen(e.what()), "promo error (out of memory)");
    pending.detail = copy_text_no_throw(e.detail(), nullptr);
    pending.hint = copy_text_no_throw(e.hint(), nullptr);
  } catch (const std::bad_alloc&) {
    pending.kind = PendingError::Kind::kMessage;
    pending.sqlerrcode = ERRCODE_OUT_OF_MEMORY;
    pending.message = "out of memory";
  } catch (const std::exception& e) {
    pending.kind = PendingError::Kind::kMessage;
    pending.sqlerrcode = ERRCODE_INTERNAL_ERROR;
    pending.message = copy_text_no_throw(e.what(), strlen(e.what()), "unexpected C++ exception");
  } catch (...) {
    pending.kind = PendingError::Kind::kMessage;
    pending.sqlerrcode = ERRCODE_INTERNAL_ERROR;
    pending.message = "unexpected C++ exception of unknown type";
  }
}

void raise_pending_error(const PendingError& pending) {
  switch (pending.kind) {
    case PendingError::Kind::kPostgres:
      ReThrowError(pending.postgres);
    case PendingError::Kind::kInterrupted:
      // The engine stopped because an interrupt is pending: let PostgreSQL raise its own
      // error ("canceling statement due to statement timeout", "... user request", ...).
      CHECK_FOR_INTERRUPTS();
      // Interrupts are held off here (or the flag was cleared meanwhile): still stop.
      ereport(ERROR, (errcode(ERRCODE_QUERY_CANCELED),
                      errmsg("canceling statement due to a pending interrupt")));
      break;
    case PendingError::Kind::kMessage:
      break;
  }
  ereport(ERROR, (errcode(pending.sqlerrcode), errmsg_internal("%s", pending.message),
                  pending.detail != nullptr ? errdetail_internal("%s", pending.detail) : 0,
                  pending.hint != nullptr ? errhint("%s", pending.hint) : 0));
  pg_unreachable();
}

void run_guarded(void (*fn)(void* context) noexcept, void* context) {
  MemoryContext caller_context = CurrentMemoryContext;
  ErrorData* volatile error = nullptr;  // assigned after the longjmp
  PG_TRY();
  { fn(context); }
  PG_CATCH();
  {
    // CopyErrorData must not run in ErrorContext; the copy lives in the caller's context.
    MemoryContextSwitchTo(caller_context);
    error = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (error != nullptr) throw PgError(error);
}

bool interrupts_pending() noexcept {
  // InterruptPending alone is not enough: PostgreSQL also sets it for interrupts that
  // CHECK_FOR_INTERRUPTS() handles without an error (the idle statistics flush timer, which
  // PostgreSQL 15 leaves armed into the next statement, a memory context log request, a
  // barrier). Stopping for those turned a long COPY into "canceling statement due to a pending
  // interrupt"; they are left for PostgreSQL's next CHECK_FOR_INTERRUPTS().
  return INTERRUPTS_PENDING_CONDITION() && (QueryCancelPending || ProcDiePending);
}

}  // namespace promo::pg
