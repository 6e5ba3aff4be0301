#include "plugins/common/http/connection_guard.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

namespace ferry::plugins::common::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/** A dispatcher whose clock moves only when the test says: timers run in due order. */
class ManualDispatcher final : public sdk::Dispatcher {
 public:
  void post(std::function<void()> fn) override { fn(); }
  sdk::TimerPtr schedule(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto entry = std::make_shared<Entry>(Entry{std::move(fn), false});
    timers_.emplace(now_ + delay, entry);
    ++scheduled;
    return std::make_unique<Handle>(entry);
  }
  bool isCurrentThread() const override { return true; }
  Clock::time_point now() const override { return now_; }

  /** Moves the clock by `by`, running every timer that falls due on the way. */
  void advance(std::chrono::milliseconds by) {
    auto until = now_ + by;
    while (!timers_.empty() && timers_.begin()->first <= until) {
      auto [due, entry] = *timers_.begin();
      timers_.erase(timers_.begin());
      now_ = due;
      if (!entry->cancelled) entry->fn();
    }
    now_ = until;
  }

  int scheduled = 0;

 private:
  struct Entry {
    std::function<void()> fn;
    bool cancelled;
  };
  struct Handle final : sdk::Timer {
    explicit Handle(std::shared_ptr<Entry> e) : entry(std::move(e)) {}
    ~Handle() override { cancel(); }
    void cancel() override { entry->cancelled = true; }
    std::shared_ptr<Entry> entry;
  };
  Clock::time_point now_{};
  std::multimap<Clock::time_point, std::shared_ptr<Entry>> timers_;
};

struct Fired {
  int head = 0, idle = 0, life = 0;
};

ConnectionGuard::Callbacks count(Fired& f) {
  return {[&f] { ++f.head; }, [&f] { ++f.idle; }, [&f] { ++f.life; }};
}

TEST(ConnectionGuardTest, AHeadThatTakesTooLongTimesOutOnce) {
  ManualDispatcher d;
  ServerLimits limits;
  limits.headerReadTimeout = 500ms;
  Fired f;
  ConnectionGuard guard(d, limits, count(f));
  guard.headStarted();
  d.advance(499ms);
  EXPECT_EQ(f.head, 0);
  d.advance(1ms);
  EXPECT_EQ(f.head, 1);
  d.advance(5000ms);
  EXPECT_EQ(f.head, 1);
}

TEST(ConnectionGuardTest, EachHeadHasItsOwnDeadlineWithoutATimerPerHead) {
  ManualDispatcher d;
  ServerLimits limits;
  limits.headerReadTimeout = 500ms;
  Fired f;
  ConnectionGuard guard(d, limits, count(f));
  // A keep-alive client: a head every 100 ms, each whole 50 ms after its first byte.
  for (int i = 0; i < 50; ++i) {
    guard.headStarted();
    d.advance(50ms);
    guard.headComplete();
    d.advance(50ms);
  }
  EXPECT_EQ(f.head, 0);
  EXPECT_LE(d.scheduled, 12) << "timers are re-armed lazily, not per head";
  // The next head starts and stalls: its own 500 ms count, not the first head's.
  guard.headStarted();
  d.advance(499ms);
  EXPECT_EQ(f.head, 0);
  d.advance(1ms);
  EXPECT_EQ(f.head, 1);
}

TEST(ConnectionGuardTest, IdleCountsOnlyWithoutRequestsInFlight) {
  ManualDispatcher d;
  ServerLimits limits;
  limits.headerReadTimeout = 0ms;
  limits.idleTime = 1000ms;
  Fired f;
  ConnectionGuard guard(d, limits, count(f));
  d.advance(600ms);
  guard.inFlight(1);  // a request for 5 s: not idleness
  d.advance(5000ms);
  EXPECT_EQ(f.idle, 0);
  guard.inFlight(0);
  d.advance(999ms);
  EXPECT_EQ(f.idle, 0);
  d.advance(1ms);
  EXPECT_EQ(f.idle, 1);
}

TEST(ConnectionGuardTest, LifetimeEndsOnceAndZeroHeaderTimeoutIsNone) {
  ManualDispatcher d;
  ServerLimits limits;
  limits.headerReadTimeout = 0ms;
  limits.lifeTime = 3000ms;
  Fired f;
  ConnectionGuard guard(d, limits, count(f));
  guard.headStarted();
  d.advance(10000ms);
  EXPECT_EQ(f.head, 0);
  EXPECT_EQ(f.life, 1);
}

TEST(ConnectionGuardTest, DestroyingTheGuardCancelsItsTimers) {
  ManualDispatcher d;
  ServerLimits limits;
  limits.headerReadTimeout = 100ms;
  limits.idleTime = 100ms;
  limits.lifeTime = 100ms;
  Fired f;
  {
    ConnectionGuard guard(d, limits, count(f));
    guard.headStarted();
  }
  d.advance(1000ms);
  EXPECT_EQ(f.head + f.idle + f.life, 0);
}

}  // namespace
}  // namespace ferry::plugins::common::http
