#include "core/net/listener.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>

#include <boost/asio/post.hpp>

#include "core/net/tcp_stream.h"
#include "core/util/log.h"

namespace ferry::core::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Listener::WorkerAcceptor : std::enable_shared_from_this<WorkerAcceptor> {
  WorkerAcceptor(events::EventLoop& loop, std::size_t index) : loop(loop), index(index), acceptor(loop.io()) {}
  events::EventLoop& loop;
  std::size_t index;
  tcp::acceptor acceptor;
  OnAccept onAccept;
  sdk::TimerPtr backoff;
  std::chrono::milliseconds delay{0};  ///< the current back-off; zero while accepts succeed
  uint64_t failures = 0;               ///< accept failures in the current episode
  /** Set by stop() on the worker, or by ~Listener on main while the worker may still run. */
  std::atomic<bool> stopped{false};

  void acceptNext() {
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
      if (self->stopped || ec == asio::error::operation_aborted) return;
      if (ec) return self->failed(ec);
      if (self->failures) {
        util::logLine(sdk::LogLevel::Info, "listener",
                      "accepting again after " + std::to_string(self->failures) + " failed accepts");
        self->failures = 0;
        self->delay = std::chrono::milliseconds(0);
      }
      auto stream = std::make_shared<TcpStream>(std::move(socket), self->loop);
      stream->setLingerOnClose(true);
      self->onAccept(self->index, std::move(stream));
      self->acceptNext();
    });
  }

  /**
   * EMFILE, ENFILE, ENOBUFS...: the connection stays in the backlog and the socket stays readable,
   * so accepting again at once would spin. Back off (10 ms doubling to 1 s) and try again; the
   * connections already open keep being served meanwhile, and any that close free descriptors.
   * One log line per episode, not one per try.
   */
  void failed(const boost::system::error_code& ec) {
    if (failures++ == 0) {
      util::logLine(sdk::LogLevel::Warning, "listener",
                    "accept failed: " + ec.message() + "; backing off until accepting works again");
    }
    delay = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(10), delay * 2));
    backoff = loop.schedule(delay, [self = shared_from_this()] {
      if (!self->stopped) self->acceptNext();
    });
  }
};

Listener::~Listener() {
  for (auto& w : workers_) w->stopped = true;
}

sdk::Status Listener::bind(asio::io_context& main) {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(ip_, ec);
  if (ec) return sdk::Status::error("invalid listen address '" + ip_ + "'");
  tcp::endpoint endpoint(address, port_);
  acceptor_ = std::make_unique<tcp::acceptor>(main);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return sdk::Status::error("cannot listen on " + ip_ + ":" + std::to_string(port_) + ": " + ec.message());
  boundPort_ = acceptor_->local_endpoint(ec).port();
  return sdk::Status::ok();
}

void Listener::start(const std::vector<events::EventLoop*>& workers, OnAccept onAccept) {
  auto protocol = acceptor_->local_endpoint().protocol();
  for (std::size_t i = 0; i < workers.size(); ++i) {
    auto w = std::make_shared<WorkerAcceptor>(*workers[i], i);
    w->onAccept = onAccept;
    int fd = ::dup(acceptor_->native_handle());
    workers_.push_back(w);
    // The worker registers its acceptor itself: its loop's I/O is only ever touched by it.
    asio::post(w->loop.io(), [w, fd, protocol] {
      boost::system::error_code ec;
      w->acceptor.assign(protocol, fd, ec);
      if (ec) {
        ::close(fd);
        util::logLine(sdk::LogLevel::Error, "listener", "cannot share listening socket: " + ec.message());
        return;
      }
      w->acceptNext();
    });
  }
}

void Listener::stop() {
  for (auto& w : workers_) {
    asio::post(w->loop.io(), [w] {
      w->stopped = true;
      w->backoff.reset();
      boost::system::error_code ec;
      w->acceptor.close(ec);
    });
  }
  boost::system::error_code ec;
  if (acceptor_) acceptor_->close(ec);
}

std::string Listener::address() const { return ip_ + ":" + std::to_string(boundPort_); }

}  // namespace ferry::core::net
