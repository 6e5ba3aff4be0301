#pragma once
// ReadinessPoller: one worker's own epoll set for its connected sockets.
//
// Why not Asio's socket operations: Asio's epoll reactor is edge-triggered, and every wait for a
// socket costs either an epoll_ctl re-arm (async_wait) or a recv that fails with EAGAIN (the
// speculative attempt of async_read_some): two extra system calls per proxied request, a third
// of the total. Here a socket is registered once, for input and output, edge-triggered; a reader
// that got fewer bytes than it asked for knows the socket is empty and waits for the next edge
// (as HAProxy does), and a writer waits for output only after a short send. Asio still owns the
// loop: this set is one descriptor in it, read once per readiness, so a loop turn that finds
// 100 sockets ready re-arms one descriptor, not 100.
//
// Thread: everything on the owning loop's thread.

#include <sys/epoll.h>

#include <cstdint>
#include <optional>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace ferry::core::events {

class ReadinessPoller {
 public:
  /** What a watched socket is told. Implemented by the socket's owner (core/net/tcp_stream). */
  class Watcher {
   public:
    /**
     * The socket became readable and/or writable (an edge: it is not repeated until the owner
     * has read or written up to EAGAIN or a short count). May be spurious: owners must treat
     * EAGAIN as "not yet". `hangup`: the peer closed or reset the connection; that edge is
     * not repeated, so the owner reads on until recv() reports the end.
     */
    virtual void onReady(bool readable, bool writable, bool hangup) = 0;

   protected:
    ~Watcher() = default;
  };

  using Registration = std::uint32_t;

  explicit ReadinessPoller(boost::asio::io_context& io);
  ~ReadinessPoller();
  ReadinessPoller(const ReadinessPoller&) = delete;
  ReadinessPoller& operator=(const ReadinessPoller&) = delete;

  /** Watches `fd` for `watcher` until remove(); false (with errno) if epoll refuses it. */
  bool add(int fd, Watcher* watcher, Registration* registration);
  /** Stops watching: no onReady reaches the watcher after this, not even one already read. */
  void remove(int fd, Registration registration);
  /** Releases the Asio side while the io_context still lives (EventLoop's destructor). */
  void detachFromLoop();

 private:
  void waitForEvents();
  void dispatchEvents();

  int epollFd_ = -1;
  int createErrno_ = 0;  ///< why epoll_create1 failed, if it did
  std::optional<boost::asio::posix::stream_descriptor> notifier_;
  std::vector<Watcher*> watchers_;           ///< by registration; null when free
  std::vector<Registration> freeRegistrations_;
  bool waiting_ = false;
};

}  // namespace ferry::core::events
