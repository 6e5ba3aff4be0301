#pragma once
// EndpointPool: one endpoint as one worker sees it: its connection pool and the load figures
// load balancers read (outstanding requests, latency EWMA, connect failures).
// Thread: the worker's only.

#include <chrono>
#include <list>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/events/event_loop.h"
#include "ferry/sdk/load_balancer.h"
#include "ferry/sdk/protocol.h"

namespace ferry::core::net {
class TcpStream;
class TlsContext;
}

namespace ferry::core::router {

/** An open client connection and the codec speaking on it. */
struct PooledConnection {
  std::shared_ptr<net::TcpStream> stream;
  std::unique_ptr<sdk::ClientConnection> codec;
  std::size_t activeExchanges = 0;
  bool broken = false;
  std::chrono::steady_clock::time_point idleSince{};
};

/**
 * Pool settings: the client's `hostConnectionPool` and `connectTimeoutMs`. Linkerd's defaults:
 * no upper bound, idle connections kept forever. The limits apply per endpoint per worker.
 */
struct PoolSettings {
  std::size_t minSize = 0;
  std::size_t maxSize = SIZE_MAX;
  std::size_t maxWaiters = SIZE_MAX;
  std::chrono::milliseconds idleTime{0};  ///< 0: idle connections stay open
  std::chrono::milliseconds connectTimeout{1000};
  /** The client's TLS context; null: plaintext. */
  std::shared_ptr<const net::TlsContext> tls;
  std::string tlsServerName;  ///< SNI and the name verified (the client's commonName)
};

class EndpointPool final : public sdk::Endpoint, public std::enable_shared_from_this<EndpointPool> {
 public:
  /**
   * Gets a connection, or the HTTP status and message to fail with: 502 when connecting
   * failed, 503 when the pool is exhausted (maxSize busy and maxWaiters waiting).
   */
  using Ready = std::function<void(PooledConnection* connection, int status, const std::string& error)>;

  EndpointPool(sdk::Address address, events::EventLoop& loop, sdk::Protocol& protocol, PoolSettings settings);
  ~EndpointPool() override;

  // sdk::Endpoint
  const sdk::Address& address() const override { return address_; }
  uint32_t outstanding() const override { return outstanding_; }
  double latencyEwmaMs() const override { return ewmaMs_; }
  bool available() const override { return consecutiveConnectFailures_ < 3 || retryConnectAt_ <= std::chrono::steady_clock::now(); }
  /** No connection attempt failed since the last success (what keeps an endpoint on probation). */
  bool healthy() const { return consecutiveConnectFailures_ == 0; }

  /**
   * Calls `ready` with a connection that can start a request now (an idle one, or a new one
   * once connected), or with an error. `ready` may run before acquire() returns.
   */
  void acquire(Ready ready);
  /**
   * The common case of acquire() without its callback: a connection that can start a request
   * now, counted as taken, or null (then call acquire()). Allocates nothing.
   */
  PooledConnection* tryAcquireNow();
  /**
   * Gives a connection back after an exchange; broken or non-reusable ones are closed. An
   * exchange that did not `complete` (reset, abandoned, response before the whole request)
   * breaks an HTTP/1 connection; a multiplexed one outlives its reset streams. A waiting
   * request gets the connection (or a new one) on the next loop turn.
   */
  void release(PooledConnection* connection, bool complete = true);

  /** Load accounting around one request. */
  void requestStarted() { ++outstanding_; }
  void requestFinished(std::chrono::steady_clock::duration latency);

  /** Closes idle connections (the endpoint left the set). */
  void shutdown();
  std::string text() const { return address_.host + ":" + std::to_string(address_.port); }

 private:
  void connect(Ready ready);
  void onClosed(PooledConnection* connection);
  void discard(PooledConnection* connection);
  void serveWaiters();
  void serveWaitersLater();
  bool mayConnect() const;
  void scheduleIdleSweep();
  PooledConnection* idleConnection();

  sdk::Address address_;
  events::EventLoop& loop_;
  sdk::Protocol& protocol_;
  PoolSettings settings_;
  std::vector<std::unique_ptr<PooledConnection>> connections_;
  /** HTTP/1 connections with no exchange, last released on top; each is also in connections_. */
  std::vector<PooledConnection*> idle_;
  /** Requests waiting for a connection. A list, not a deque: libstdc++'s deque allocates 600
   *  bytes when constructed, and a linker bound to 10,000 services has 200,000 pools, nearly
   *  all of which never queue anything. */
  std::list<Ready> waiters_;
  std::size_t connecting_ = 0;
  sdk::TimerPtr idleSweep_;
  uint32_t outstanding_ = 0;
  double ewmaMs_ = 0;
  int consecutiveConnectFailures_ = 0;
  std::chrono::steady_clock::time_point retryConnectAt_{};
  bool shutdown_ = false;
};

}  // namespace ferry::core::router
