#include "core/events/event_loop.h"

#include "core/events/write_batch.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ferry::core::events {
namespace {

class AsioTimer final : public sdk::Timer {
 public:
  AsioTimer(boost::asio::io_context& io, std::chrono::milliseconds delay, std::function<void()> fn)
      : state_(std::make_shared<State>(io)) {
    state_->timer.expires_after(delay);
    state_->fn = std::move(fn);
    // The handler holds the state, not the handle: a destroyed handle cancels, never dangles.
    state_->timer.async_wait([s = state_](const boost::system::error_code& ec) {
      if (ec || s->cancelled) return;
      s->fired = true;
      auto fn = std::move(s->fn);
      fn();
    });
  }
  ~AsioTimer() override { cancel(); }
  void cancel() override {
    state_->cancelled = true;
    state_->fn = nullptr;
    state_->timer.cancel();
  }

 private:
  struct State {
    explicit State(boost::asio::io_context& io) : timer(io) {}
    boost::asio::steady_timer timer;
    std::function<void()> fn;
    bool cancelled = false;
    bool fired = false;
  };
  std::shared_ptr<State> state_;
};

}  // namespace

EventLoop::EventLoop(bool ownedIo)
    : io_(ownedIo ? BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO : BOOST_ASIO_CONCURRENCY_HINT_DEFAULT),
      owner_(std::this_thread::get_id()) {}

EventLoop::~EventLoop() {
  if (poller_) poller_->detachFromLoop();  // its Asio descriptor must go before io_
}

ReadinessPoller& EventLoop::poller() {
  if (!poller_) poller_ = std::make_unique<ReadinessPoller>(io_);
  return *poller_;
}

void EventLoop::run() {
  owner_ = std::this_thread::get_id();
  auto guard = boost::asio::make_work_guard(io_);
  io_.run();
}

void EventLoop::stop() { io_.stop(); }

void EventLoop::post(std::function<void()> fn) {
  // Writes the closure makes leave when it returns (write_batch.h), not one posted flush later.
  boost::asio::post(io_, [fn = std::move(fn)] {
    WriteBatch batch;
    fn();
  });
}

sdk::TimerPtr EventLoop::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  return std::make_unique<AsioTimer>(io_, delay, std::move(fn));
}

}  // namespace ferry::core::events
