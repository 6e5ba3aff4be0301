#include "core/net/listener.h"

#include <unistd.h>

#include <boost/asio/post.hpp>

#include "core/net/tcp_stream.h"
#include "core/util/log.h"

namespace ferry::core::net {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct Listener::WorkerAcceptor : std::enable_shared_from_this<WorkerAcceptor> {
  WorkerAcceptor(server::EventLoop& loop, std::size_t index) : loop(loop), index(index), acceptor(loop.io()) {}
  server::EventLoop& loop;
  std::size_t index;
  tcp::acceptor acceptor;
  OnAccept onAccept;
  sdk::TimerPtr backoff;
  bool stopped = false;

  void acceptNext() {
    acceptor.async_accept([self = shared_from_this()](const boost::system::error_code& ec, tcp::socket socket) {
      if (self->stopped || ec == asio::error::operation_aborted) return;
      if (ec) {
        // EMFILE and friends: log, back off briefly instead of spinning.
        util::logLine(sdk::LogLevel::Warning, "listener", "accept failed: " + ec.message());
        self->backoff = self->loop.schedule(std::chrono::milliseconds(50), [self] { self->acceptNext(); });
        return;
      }
      auto stream = std::make_shared<TcpStream>(std::move(socket), self->loop);
      stream->setLingerOnClose(true);
      self->onAccept(self->index, std::move(stream));
      self->acceptNext();
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

void Listener::start(const std::vector<server::EventLoop*>& workers, OnAccept onAccept) {
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
