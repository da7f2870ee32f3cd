// The error bridge between C++ and PostgreSQL, in both directions.
//
// C++ -> PostgreSQL: every SQL-callable entry point runs its C++ body through call_cpp(). The
// body runs inside try/catch; whatever it throws (promo::Error, promo::Interrupted, PgError,
// std::exception, anything) is copied into palloc'd memory inside the handler, and the
// PostgreSQL error is raised only after the catch block has ended, when every C++ destructor
// has run and no exception is in flight (a longjmp out of a catch block would leak it).
//
// PostgreSQL -> C++: every PostgreSQL call that may ereport(ERROR) and is made from a frame
// that owns C++ objects goes through pg_guard(). The call runs under PG_TRY; an error is
// copied whole (CopyErrorData, so SQLSTATE, detail, hint and context survive), the error
// state is flushed, and a PgError carrying it is thrown once PG_TRY is left. call_cpp() later
// re-raises it unchanged with ReThrowError.
//
// Rule for callables passed to pg_guard(): they must not create C++ objects with non-trivial
// destructors and must not throw (a longjmp out of them would skip destructors; an exception
// out of them would skip PG_END_TRY). Their captures are checked to be trivially
// destructible; the trampoline is noexcept, so a stray exception terminates loudly instead of
// corrupting PostgreSQL's exception stack.
#pragma once

#include "core/error.hpp"

#include "pg/postgres_headers.hpp"

namespace promo::pg {

// A PostgreSQL error caught by pg_guard(), with the complete ErrorData (palloc'd in the
// memory context that was current when pg_guard() was called).
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* data) noexcept : data_(data) {}
  ErrorData* data() const noexcept { return data_; }
  const char* what() const noexcept override;

 private:
  ErrorData* data_;
};

// What a caught exception becomes, held until the catch block has ended. Strings are
// palloc'd (or static fallbacks when memory ran out while copying).
struct PendingError {
  enum class Kind { kPostgres, kInterrupted, kMessage };
  Kind kind = Kind::kMessage;
  ErrorData* postgres = nullptr;  // kPostgres
  int sqlerrcode = 0;             // kMessage
  const char* message = nullptr;
  const char* detail = nullptr;
  const char* hint = nullptr;
};

// Classifies the exception currently being handled and copies what is needed to raise it.
// Must be called inside a catch block; never throws and never longjmps.
void capture_current_exception(PendingError& pending) noexcept;

// Raises `pending` as a PostgreSQL ERROR (PgError unchanged, Interrupted through
// CHECK_FOR_INTERRUPTS so PostgreSQL reports its own cancel or timeout message).
[[noreturn]] void raise_pending_error(const PendingError& pending);

// Runs the C++ body of an entry point and returns its Datum, turning any exception into a
// PostgreSQL error raised after all C++ frames of the body are gone.
template <class Body>
Datum call_cpp(Body&& body) {
  PendingError pending;
  try {
    return body();
  } catch (...) {
    capture_current_exception(pending);
  }
  raise_pending_error(pending);
}

// Runs fn(context) under PG_TRY and throws PgError if it raised a PostgreSQL error.
void run_guarded(void (*fn)(void* context) noexcept, void* context);

// Calls `fn` (a PostgreSQL call or a small C-style sequence of them) so that a PostgreSQL error
// becomes a PgError exception. Returns fn's result, which must be trivially copyable.
template <class Fn>
auto pg_guard(Fn&& fn) {
  using Callable = std::remove_reference_t<Fn>;
  using Result = std::invoke_result_t<Callable&>;
  static_assert(std::is_trivially_destructible_v<Callable>,
                "pg_guard callables must not own objects with destructors");
  if constexpr (std::is_void_v<Result>) {
    run_guarded([](void* context) noexcept { (*static_cast<Callable*>(context))(); }, &fn);
  } else {
    static_assert(std::is_trivially_copyable_v<Result>, "pg_guard results must be plain values");
    struct Call {
      Callable* fn;
      Result result;
    };
    Call call{&fn, Result{}};
    run_guarded(
        [](void* context) noexcept {
          Call* c = static_cast<Call*>(context);
          c->result = (*c->fn)();
        },
        &call);
    return call.result;
  }
}

// The engine's cancel check (promo::InterruptPoll): true when a cancel, timeout or termination
// is pending. Only reads a flag; never throws or longjmps.
bool interrupts_pending() noexcept;

}  // namespace promo::pg
