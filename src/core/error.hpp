// The single exception type the engine throws. It carries a SQLSTATE so the adapter can turn it
// into ereport(ERROR) with the right code without knowing where it came from.
#pragma once
#include "core/cpp_only.hpp"

#include <stdexcept>
#include <string>

namespace promo {

// SQLSTATE codes the engine can raise; the adapter maps the five characters to MAKE_SQLSTATE.
namespace sqlstate {
inline constexpr const char* kInvalidParameterValue = "22023";  // bad cart, bad discount
inline constexpr const char* kSyntaxError = "42601";            // rule does not parse
inline constexpr const char* kDatatypeMismatch = "42804";       // rule does not type-check
inline constexpr const char* kUndefinedFunction = "42883";      // unknown function in a rule
inline constexpr const char* kUndefinedColumn = "42703";        // unknown field in a rule
inline constexpr const char* kNumericOutOfRange = "22003";      // money overflow
inline constexpr const char* kProgramLimitExceeded = "54000";   // cart too large, nesting
inline constexpr const char* kQueryCanceled = "57014";          // interrupt seen by the engine
inline constexpr const char* kInternalError = "XX000";
}  // namespace sqlstate

class Error : public std::runtime_error {
 public:
  Error(const char* sqlstate, std::string message, std::string detail = {}, std::string hint = {})
      : std::runtime_error(std::move(message)),
        sqlstate_(sqlstate),
        detail_(std::move(detail)),
        hint_(std::move(hint)) {}

  const char* sqlstate() const noexcept { return sqlstate_; }
  const std::string& detail() const noexcept { return detail_; }
  const std::string& hint() const noexcept { return hint_; }

 private:
  const char* sqlstate_;
  std::string detail_;
  std::string hint_;
};

// Thrown by long engine loops when the host says a cancel or termination is pending; the
// adapter then lets CHECK_FOR_INTERRUPTS() raise PostgreSQL's own error.
class Interrupted : public std::exception {
 public:
  const char* what() const noexcept override { return "interrupted"; }
};

// The host's cancel check. The engine calls it every few thousand units of work; it must not
// throw or longjmp, only answer.
using InterruptPoll = bool (*)();

}  // namespace promo
