#pragma once
// RouterWorker: one router on one worker thread. Accepts connections, identifies requests,
// finds their bound tree in its snapshot cache (asking the main thread on a miss), picks a
// client (Upstreams) and an endpoint, and relays the exchange. Nothing here locks or blocks.

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/router/client.h"
#include "core/router/relay_owner.h"
#include "core/router/upstreams.h"
#include "core/router/request_stats.h"
#include "core/router/router.h"
#include "core/stats/stats_store.h"
#include "ferry/sdk/slot_vector.h"

namespace ferry::core::net {
class TcpStream;
}

namespace ferry::core::router {

class Relay;

class RouterWorker final : private RelayOwner {
 public:
  RouterWorker(Router& router, std::size_t index, events::EventLoop& loop, stats::StatsStore& store);
  ~RouterWorker();

  /** A connection accepted on server `serverIndex`. Thread: this worker. */
  void onAccept(std::size_t serverIndex, std::shared_ptr<net::TcpStream> stream);
  /** A bind result for `key`, posted by the main thread. */
  void onSnapshot(const std::string& key, BoundSnapshotPtr snapshot);
  /** Requests in flight on this worker. */
  std::size_t inFlight() const { return inFlight_.load(std::memory_order_relaxed); }
  /** Tells every server connection's codec to finish what is in flight and close (drain). */
  void drainConnections();

  /** A request head arrived on server `serverIndex` (the codec's RequestRouter calls this). */
  void handleRequest(std::size_t serverIndex, sdk::ServerExchange& exchange);

 private:
  // RelayOwner
  void relayFinished(Relay* relay) override;
  events::EventLoop& loop() override { return loop_; }

  struct ServerSide;
  struct Connection;
  struct Pending {
    BoundSnapshotPtr snapshot;
    std::vector<Relay*> waiting;
    sdk::TimerPtr timeout;
    bool requested = false;
  };

  void route(Relay* relay, const BoundSnapshotPtr& snapshot);
  void onBindingTimeout(const std::string& key);
  struct Service {
    RequestStats stats;
    std::chrono::milliseconds totalTimeout{0};
    const sdk::ResponseClassifier* classifier = nullptr;
  };
  Service& service(const std::string& name, const sdk::Path& path);
  std::string newRequestId();

  Router& router_;
  std::size_t index_;
  events::EventLoop& loop_;
  stats::StatsStore& store_;
  std::vector<std::unique_ptr<ServerSide>> servers_;
  std::vector<std::unique_ptr<RequestStats>> serverStats_;
  std::vector<std::unique_ptr<StreamStats>> serverStreams_;  ///< per server, h2 routers only
  std::vector<sdk::Gauge*> serverConnections_;  ///< per server: rt/.../connections
  std::vector<sdk::Counter*> serverConnects_;   ///< per server: rt/.../connects
  std::vector<sdk::Counter*> serverRefused_;    ///< per server: rt/.../connections_refused (maxConnections)
  std::map<uint64_t, std::unique_ptr<Connection>> connections_;
  uint64_t nextConnectionId_ = 1;
  std::unordered_map<std::string, Pending> bindings_;
  std::unordered_map<std::string, std::unique_ptr<Service>> services_;
  /**
   * Relays in flight (a SlotVector: one leaves in O(1)) and finished ones freed at the
   * next loop turn, when none of their calls is on the stack. No allocation per request once
   * the vectors have grown.
   */
  sdk::SlotVector<Relay> relays_;
  std::vector<std::unique_ptr<Relay>> finishedRelays_;
  bool sweepPosted_ = false;
  std::atomic<std::size_t> inFlight_{0};
  std::mt19937_64 rng_;
  Upstreams upstreams_;  ///< after rng_, which it draws balancer seeds from
};

}  // namespace ferry::core::router
