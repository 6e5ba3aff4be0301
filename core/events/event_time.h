#pragma once
// The time of the I/O event a worker thread is handling.
//
// A proxied request reads the clock about eight times (start, upstream start, response head,
// each stream end, finish, the connection's idle mark). Within one socket readiness, which on
// HTTP/2 carries many requests, those reads would all return nearly the same instant; the
// poller reads the clock once per readiness and the request path uses that value (HAProxy keeps
// one "now" per poll loop for the same reason). Outside a readiness (timers, posted work,
// other threads) eventTime() is the clock itself.

#include <chrono>

namespace ferry::core::events {

namespace detail {
inline thread_local std::chrono::steady_clock::time_point tEventTime{};
inline thread_local bool tInEvent = false;
}  // namespace detail

/** The current event's time on this thread, or now when no event is being handled. */
inline std::chrono::steady_clock::time_point eventTime() {
  return detail::tInEvent ? detail::tEventTime : std::chrono::steady_clock::now();
}

/** While it lives, eventTime() on this thread is the time it was created. Not nestable. */
class EventTimeScope {
 public:
  EventTimeScope() {
    detail::tEventTime = std::chrono::steady_clock::now();
    detail::tInEvent = true;
  }
  ~EventTimeScope() { detail::tInEvent = false; }
  EventTimeScope(const EventTimeScope&) = delete;
  EventTimeScope& operator=(const EventTimeScope&) = delete;
};

}  // namespace ferry::core::events
