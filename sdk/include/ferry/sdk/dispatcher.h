#pragma once
// Dispatcher: an event loop owned by the host (the main thread's or a worker's).
//
// Plugins never create threads or event loops; they schedule work on the dispatcher they were
// given. Every callback runs on that dispatcher's thread.

#include <chrono>
#include <functional>
#include <memory>

namespace ferry::sdk {

/** A scheduled callback. Destroying the handle cancels it if it has not run yet. */
class Timer {
 public:
  virtual ~Timer() = default;
  /** Cancels the callback; a no-op after it ran. Thread: the owning dispatcher's. */
  virtual void cancel() = 0;
};
using TimerPtr = std::unique_ptr<Timer>;

class Dispatcher {
 public:
  virtual ~Dispatcher() = default;
  /** Runs `fn` on this dispatcher's thread, soon. Thread: any (the only thread-safe method). */
  virtual void post(std::function<void()> fn) = 0;
  /**
   * Runs `fn` once after `delay`.
   * Thread: this dispatcher's. Ownership: the caller owns the returned handle; the callback must
   * not capture objects that may die before the handle does.
   */
  virtual TimerPtr schedule(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  /** True when called from this dispatcher's thread. */
  virtual bool isCurrentThread() const = 0;
  /**
   * The monotonic time of the event being handled on this dispatcher's thread. The core reads
   * the clock once per socket readiness, so every call made while one readiness is handled (on
   * HTTP/2, possibly many requests) returns the same instant; elsewhere (timers, posted work)
   * it is the clock itself. Use it to timestamp requests; use std::chrono::steady_clock::now()
   * where two calls within one callback must differ.
   */
  virtual std::chrono::steady_clock::time_point now() const = 0;
};

}  // namespace ferry::sdk
