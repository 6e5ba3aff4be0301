#pragma once
// EventLoop: one Asio io_context run by one thread, offered to plugins as an sdk::Dispatcher.

#include <atomic>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "ferry/sdk/dispatcher.h"

namespace ferry::core::server {

class EventLoop final : public sdk::Dispatcher {
 public:
  /**
   * `ownedIo`: every socket and timer of this loop is created, used and destroyed on its
   * own thread (workers), so Asio may skip the reactor's locks; post() stays thread-safe.
   */
  explicit EventLoop(bool ownedIo = false);
  boost::asio::io_context& io() { return io_; }

  /** Runs the loop on the calling thread until stop(). */
  void run();
  /** Makes run() return. Thread: any. */
  void stop();

  // sdk::Dispatcher
  void post(std::function<void()> fn) override;
  sdk::TimerPtr schedule(std::chrono::milliseconds delay, std::function<void()> fn) override;
  bool isCurrentThread() const override { return std::this_thread::get_id() == owner_.load(); }
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }

 private:
  boost::asio::io_context io_;
  std::atomic<std::thread::id> owner_;
};

}  // namespace ferry::core::server
