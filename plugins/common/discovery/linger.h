#pragma once
// Linger: watches nobody observes any more stay for a while (kLinger) before a namer drops them.
// A binding cache entry that expired, the delegator and `ferry delegate` look the same names up
// again soon; keeping the watch makes those answers immediate and spares the API a new list or
// query. Dropping it then stops the namer from asking about names nobody uses (Linkerd kept
// them forever: linkerd#1766).
//
// The namer stamps what it stops using (unused), clears the stamp when it is used again
// (used), and drops what has expired when its sweep runs.
//
// Thread: main.

#include <chrono>
#include <functional>

#include "ferry/sdk/dispatcher.h"

namespace ferry::plugins::discovery {

class Linger {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kLinger{60};

  /** `sweep` drops what has expired and returns whether anything still lingers. */
  Linger(sdk::Dispatcher& dispatcher, std::function<bool()> sweep)
      : dispatcher_(dispatcher), sweep_(std::move(sweep)) {}

  /** Stamps `since` (if not stamped) and makes sure a sweep will run. */
  void unused(Clock::time_point& since) {
    if (since == Clock::time_point{}) since = Clock::now();
    schedule();
  }
  static void used(Clock::time_point& since) { since = {}; }
  static bool lingering(Clock::time_point since) { return since != Clock::time_point{}; }
  static bool expired(Clock::time_point since, Clock::time_point now) {
    return lingering(since) && now - since >= kLinger;
  }

 private:
  void schedule() {
    if (timer_) return;
    timer_ = dispatcher_.schedule(std::chrono::duration_cast<std::chrono::milliseconds>(kLinger / 4), [this] {
      timer_.reset();
      if (sweep_()) schedule();
    });
  }

  sdk::Dispatcher& dispatcher_;
  std::function<bool()> sweep_;
  sdk::TimerPtr timer_;
};

}  // namespace ferry::plugins::discovery
