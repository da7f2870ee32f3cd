// Cooperative cancellation for long engine loops: count units of work and ask the host's cancel
// check every so often, so a cancelled statement stops promptly without polling on every step.
#pragma once
#include "core/cpp_only.hpp"
#include "core/error.hpp"

#include <cstddef>

namespace promo {

// Counts units of work (items, promotions, rule evaluations) and asks the host's cancel check
// every 1,000 of them; throws Interrupted when a cancel is pending.
class WorkMeter {
 public:
  explicit WorkMeter(InterruptPoll poll) : poll_(poll) {}
  // Records `units` of work, polling once every kPollEvery units.
  void tick(size_t units = 1) {
    done_ += units;
    if (done_ >= kPollEvery) {
      done_ = 0;
      if (poll_ != nullptr && poll_()) throw Interrupted();
    }
  }

 private:
  static constexpr size_t kPollEvery = 1000;
  InterruptPoll poll_;
  size_t done_ = 0;
};

}  // namespace promo
