#pragma once
// EventLoop: one Asio io_context run by one thread, offered to plugins as an sdk::Dispatcher.

#include <atomic>
#include <memory>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "core/events/event_time.h"
#include "core/events/readiness_poller.h"
#include "ferry/sdk/dispatcher.h"

namespace ferry::core::events {

class EventLoop final : public sdk::Dispatcher {
 public:
  /**
   * `ownedIo`: every socket and timer of this loop is created, used and destroyed on its
   * own thread (workers), so Asio may skip the reactor's locks; post() stays thread-safe.
   */
  explicit EventLoop(bool ownedIo = false);
  ~EventLoop() override;
  boost::asio::io_context& io() { return io_; }
  /** The epoll set of this loop's connected sockets (created on first use). Thread: the loop's. */
  ReadinessPoller& poller();

  /** Runs the loop on the calling thread until stop(). */
  void run();
  /** Makes run() return. Thread: any. */
  void stop();

  // sdk::Dispatcher
  void post(std::function<void()> fn) override;
  sdk::TimerPtr schedule(std::chrono::milliseconds delay, std::function<void()> fn) override;
  bool isCurrentThread() const override { return std::this_thread::get_id() == owner_.load(); }
  std::chrono::steady_clock::time_point now() const override { return eventTime(); }

 private:
  // Declared before io_, so destroyed after it: streams still held by io_'s pending handlers
  // unregister from it while io_ is being destroyed.
  std::unique_ptr<ReadinessPoller> poller_;
  boost::asio::io_context io_;
  std::atomic<std::thread::id> owner_;
};

}  // namespace ferry::core::events
