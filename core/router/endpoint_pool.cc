#include "core/router/endpoint_pool.h"

#include <algorithm>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/net/tcp_stream.h"
#include "core/events/event_time.h"

namespace ferry::core::router {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

EndpointPool::EndpointPool(sdk::Address address, events::EventLoop& loop, sdk::Protocol& protocol,
                           PoolSettings settings)
    : address_(std::move(address)), loop_(loop), protocol_(protocol), settings_(settings) {}

EndpointPool::~EndpointPool() { shutdown(); }

void EndpointPool::shutdown() {
  shutdown_ = true;
  idleSweep_.reset();
  auto waiters = std::move(waiters_);
  waiters_.clear();
  for (auto& w : waiters) w(nullptr, 502, "endpoint " + text() + " was removed");
  for (auto& c : connections_) {
    if (c->stream) {
      c->stream->setCloseObserver(nullptr);
      if (c->activeExchanges == 0) c->stream->close();
    }
  }
  connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
                                    [](const auto& c) { return c->activeExchanges == 0; }),
                     connections_.end());
  idle_.clear();
}

PooledConnection* EndpointPool::idleConnection() {
  if (!protocol_.multiplexed()) {
    // HTTP/1: the idle stack, most recently used first (its socket and state are warm). No
    // scan over every connection: with hundreds per endpoint that cost a cache miss each.
    while (!idle_.empty()) {
      PooledConnection* c = idle_.back();
      idle_.pop_back();
      if (!c->broken && c->stream->isOpen() && c->activeExchanges == 0 && c->codec->canStartRequest()) return c;
    }
    return nullptr;
  }
  for (auto& c : connections_) {  // multiplexed: any open connection below its stream limit
    if (!c->broken && c->stream->isOpen() && c->codec->canStartRequest()) {
      return c.get();
    }
  }
  return nullptr;
}

PooledConnection* EndpointPool::tryAcquireNow() {
  if (!waiters_.empty()) return nullptr;  // first come, first served
  auto* c = idleConnection();
  if (c) ++c->activeExchanges;
  return c;
}

void EndpointPool::acquire(Ready ready) {
  if (auto* c = idleConnection()) {
    ++c->activeExchanges;
    ready(c, 0, "");
    return;
  }
  if (mayConnect()) {
    connect(std::move(ready));
    return;
  }
  if (waiters_.size() < settings_.maxWaiters) {
    waiters_.push_back(std::move(ready));
    return;
  }
  ready(nullptr, 503, "connection pool to " + text() + " is exhausted: " + std::to_string(settings_.maxSize) +
                     " connections busy and " + std::to_string(settings_.maxWaiters) + " requests waiting");
}

void EndpointPool::serveWaiters() {
  while (!waiters_.empty() && !shutdown_) {
    if (auto* c = idleConnection()) {
      auto w = std::move(waiters_.front());
      waiters_.pop_front();
      ++c->activeExchanges;
      w(c, 0, "");
      continue;
    }
    if (mayConnect()) {
      auto w = std::move(waiters_.front());
      waiters_.pop_front();
      connect(std::move(w));
      continue;
    }
    break;
  }
}

bool EndpointPool::mayConnect() const {
  // A multiplexed connection carries many streams: requests that arrive while one is being
  // opened wait for it instead of each opening their own.
  if (protocol_.multiplexed() && connecting_ > 0) return false;
  return connections_.size() + connecting_ < settings_.maxSize;
}

void EndpointPool::serveWaitersLater() {
  if (waiters_.empty()) return;
  // Hand over on the next turn: this runs inside an exchange's or a connect's callbacks.
  std::weak_ptr<EndpointPool> weak = weak_from_this();
  asio::post(loop_.io(), [weak] {
    if (auto self = weak.lock()) self->serveWaiters();
  });
}

void EndpointPool::connect(Ready ready) {
  struct Attempt {
    Attempt(asio::io_context& io) : resolver(io), socket(io), timer(io) {}
    tcp::resolver resolver;
    tcp::socket socket;
    asio::steady_timer timer;
    bool done = false;
  };
  auto attempt = std::make_shared<Attempt>(loop_.io());
  std::weak_ptr<EndpointPool> weak = weak_from_this();
  ++connecting_;
  auto finish = [this, weak, attempt, ready](const std::string& error) {
    if (attempt->done) return;
    attempt->done = true;
    attempt->timer.cancel();
    --connecting_;
    auto self = weak.lock();
    if (!self || shutdown_) {
      ready(nullptr, 502, "endpoint " + text() + " was removed");
      return;
    }
    if (!error.empty()) {
      ++consecutiveConnectFailures_;
      retryConnectAt_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
      boost::system::error_code ec;
      attempt->socket.close(ec);
      ready(nullptr, 502, error);
      if (protocol_.multiplexed()) {
        // The requests that waited for this connection share its fate.
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : waiters) w(nullptr, 502, error);
      }
      return;
    }
    consecutiveConnectFailures_ = 0;
    auto c = std::make_unique<PooledConnection>();
    c->stream = std::make_shared<net::TcpStream>(std::move(attempt->socket), loop_);
    if (settings_.tls) c->stream->startTls(settings_.tls, settings_.tlsServerName);
    c->codec = protocol_.newClientConnection(*c->stream);
    PooledConnection* raw = c.get();
    c->stream->setCloseObserver([weak, raw] {
      if (auto s = weak.lock()) s->onClosed(raw);
    });
    c->activeExchanges = 1;
    connections_.push_back(std::move(c));
    ready(raw, 0, "");
    if (protocol_.multiplexed()) serveWaitersLater();
  };
  attempt->timer.expires_after(settings_.connectTimeout);
  // The attempt keeps the pool alive for at most the connect timeout.
  auto self = shared_from_this();
  attempt->timer.async_wait([finish, attempt, self](const boost::system::error_code& ec) {
    if (ec || attempt->done) return;
    attempt->resolver.cancel();
    boost::system::error_code ignored;
    attempt->socket.close(ignored);
    finish("connection to " + self->text() + " timed out after " +
           std::to_string(self->settings_.connectTimeout.count()) + " ms");
  });
  attempt->resolver.async_resolve(
      address_.host, std::to_string(address_.port),
      [attempt, finish, self](const boost::system::error_code& ec, tcp::resolver::results_type results) {
        if (attempt->done) return;
        if (ec) return finish("cannot resolve " + self->address_.host + ": " + ec.message());
        asio::async_connect(attempt->socket, results,
                            [attempt, finish, self](const boost::system::error_code& ec2, const tcp::endpoint&) {
                              if (attempt->done) return;
                              if (ec2) return finish("connection to " + self->text() + " failed: " + ec2.message());
                              finish("");
                            });
      });
}

void EndpointPool::release(PooledConnection* connection, bool complete) {
  if (!complete && !protocol_.multiplexed()) connection->broken = true;
  if (connection->activeExchanges > 0) --connection->activeExchanges;
  if (connection->activeExchanges > 0) return;
  bool keep = !shutdown_ && !connection->broken && connection->codec->reusable() && connection->stream->isOpen();
  if (!keep) {
    discard(connection);
  } else {
    connection->idleSince = events::eventTime();
    if (!protocol_.multiplexed()) idle_.push_back(connection);
    scheduleIdleSweep();
  }
  serveWaitersLater();
}

void EndpointPool::discard(PooledConnection* connection) {
  idle_.erase(std::remove(idle_.begin(), idle_.end(), connection), idle_.end());
  connection->stream->setCloseObserver(nullptr);
  connection->stream->close();
  // The codec may be on the call stack (this runs from its callbacks): free it on the next turn.
  auto it = std::find_if(connections_.begin(), connections_.end(), [&](const auto& c) { return c.get() == connection; });
  if (it != connections_.end()) {
    std::shared_ptr<PooledConnection> doomed(std::move(*it));
    connections_.erase(it);
    asio::post(loop_.io(), [doomed] {});
  }
}

void EndpointPool::scheduleIdleSweep() {
  if (settings_.idleTime.count() <= 0 || idleSweep_) return;
  std::weak_ptr<EndpointPool> weak = weak_from_this();
  idleSweep_ = loop_.schedule(settings_.idleTime, [weak] {
    auto self = weak.lock();
    if (!self) return;
    self->idleSweep_.reset();
    auto now = std::chrono::steady_clock::now();
    std::vector<PooledConnection*> expired;
    std::size_t remaining = self->connections_.size();
    bool anyIdle = false;
    for (auto& c : self->connections_) {
      if (c->activeExchanges > 0) continue;
      if (now - c->idleSince >= self->settings_.idleTime && remaining > self->settings_.minSize) {
        expired.push_back(c.get());
        --remaining;
      } else {
        anyIdle = true;
      }
    }
    for (auto* c : expired) self->discard(c);
    if (anyIdle) self->scheduleIdleSweep();
  });
}

void EndpointPool::onClosed(PooledConnection* connection) {
  connection->broken = true;
  if (connection->activeExchanges > 0) return;  // release() frees it when its exchange ends
  discard(connection);
  serveWaiters();
}

void EndpointPool::requestFinished(std::chrono::steady_clock::duration latency) {
  if (outstanding_ > 0) --outstanding_;
  double ms = std::chrono::duration<double, std::milli>(latency).count();
  // Peak EWMA: jump to a slower sample at once, decay towards faster ones.
  ewmaMs_ = ms > ewmaMs_ ? ms : ewmaMs_ * 0.9 + ms * 0.1;
}

}  // namespace ferry::core::router
