#pragma once
// Backoff for namers that poll or watch a remote API (Consul, Kubernetes): exponential, with
// jitter over the upper half of each step, from `first` doubling to `max` (Linkerd's namers use
// 10 ms to 5 s for Consul, 10 ms to 10 s for Kubernetes). The jitter spreads the retries of many
// watches that failed together (the API restarted) instead of sending them back in one burst.
//
// Thread: whichever owns it; not shared.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>

namespace ferry::plugins::discovery {

class Backoff {
 public:
  explicit Backoff(std::chrono::milliseconds first = std::chrono::milliseconds(10),
                   std::chrono::milliseconds max = std::chrono::milliseconds(5000))
      : first_(first), max_(max) {}

  /** The next delay: in [step/2, step], where step doubles from `first` up to `max`. */
  std::chrono::milliseconds next() {
    current_ = current_.count() == 0 ? first_ : std::min(current_ * 2, max_);
    std::uniform_int_distribution<int64_t> spread(current_.count() / 2, current_.count());
    return std::chrono::milliseconds(spread(random_));
  }
  /** After a success: the next failure starts from `first` again. */
  void reset() { current_ = std::chrono::milliseconds(0); }

 private:
  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_{0};
  std::minstd_rand random_{std::random_device{}()};
};

}  // namespace ferry::plugins::discovery
