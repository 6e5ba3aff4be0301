#include "core/events/readiness_poller.h"

#include <unistd.h>

#include <array>
#include <cerrno>

#include "core/events/event_time.h"

namespace ferry::core::events {

ReadinessPoller::ReadinessPoller(boost::asio::io_context& io) : epollFd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epollFd_ < 0) {
    createErrno_ = errno;  // add() then fails with it, and each stream reports the error
    return;
  }
  notifier_.emplace(io, epollFd_);
}

ReadinessPoller::~ReadinessPoller() {
  detachFromLoop();
  if (epollFd_ >= 0) ::close(epollFd_);
}

void ReadinessPoller::detachFromLoop() {
  if (!notifier_) return;
  notifier_->release();  // the epoll descriptor stays ours to close
  notifier_.reset();
}

bool ReadinessPoller::add(int fd, Watcher* watcher, Registration* registration) {
  if (!notifier_) {
    errno = createErrno_ != 0 ? createErrno_ : EBADF;
    return false;
  }
  Registration r;
  if (!freeRegistrations_.empty()) {
    r = freeRegistrations_.back();
    freeRegistrations_.pop_back();
  } else {
    r = static_cast<Registration>(watchers_.size());
    watchers_.push_back(nullptr);
  }
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u32 = r;
  if (epoll_ctl(epollFd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    freeRegistrations_.push_back(r);
    return false;
  }
  watchers_[r] = watcher;
  *registration = r;
  if (!waiting_) waitForEvents();
  return true;
}

void ReadinessPoller::remove(int fd, Registration registration) {
  epoll_ctl(epollFd_, EPOLL_CTL_DEL, fd, nullptr);
  // An event already read for this registration finds null (or, once reused, a newer watcher,
  // which takes it as a spurious edge).
  watchers_[registration] = nullptr;
  freeRegistrations_.push_back(registration);
}

void ReadinessPoller::waitForEvents() {
  if (!notifier_) return;
  waiting_ = true;
  notifier_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    waiting_ = false;
    if (ec) return;  // cancelled: the loop is going away
    dispatchEvents();
    waitForEvents();
  });
}

void ReadinessPoller::dispatchEvents() {
  std::array<epoll_event, 256> events;
  // A full batch means more may be ready: read again, a few times at most, then let the loop run
  // its other work (timers, posted closures) before the next batch.
  for (int round = 0; round < 4; ++round) {
    int n = epoll_wait(epollFd_, events.data(), static_cast<int>(events.size()), 0);
    for (int i = 0; i < n; ++i) {
      Registration r = events[i].data.u32;
      Watcher* w = r < watchers_.size() ? watchers_[r] : nullptr;
      if (!w) continue;
      std::uint32_t e = events[i].events;
      EventTimeScope time;
      w->onReady((e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0, (e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0,
                 (e & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0);
    }
    if (n < static_cast<int>(events.size())) return;
  }
}

}  // namespace ferry::core::events
