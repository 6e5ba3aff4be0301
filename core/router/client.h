#pragma once
// Client: one bound id (`/#/io.l5d.fs/web`) as one worker sees it: its endpoints, their pools,
// the worker's load-balancer picker, and the client's metrics.

#include <map>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "core/router/endpoint_pool.h"
#include "core/router/request_stats.h"
#include "core/router/stream_stats.h"
#include "ferry/sdk/load_balancer.h"
#include "ferry/sdk/path.h"

namespace ferry::core::router {

class Client {
 public:
  Client(std::string id, events::EventLoop& loop, sdk::Protocol& protocol, const sdk::LoadBalancer& balancer,
         uint64_t seed, stats::StatsStore& store, const std::string& routerLabel, PoolSettings pool,
         std::chrono::milliseconds attemptTimeout, bool probation = false);
  ~Client();

  /**
   * Installs a new endpoint set; pools of endpoints that stay are kept. With probation, an
   * endpoint that left the set stays while it is healthy, until a connection to it fails.
   */
  void update(const std::vector<sdk::Address>& addresses);
  /** The balancer's choice, or null when the set is empty or nothing is available. */
  std::shared_ptr<EndpointPool> pick();
  bool empty() const { return ordered_.empty(); }
  const std::string& id() const { return id_; }
  RequestStats& stats() { return stats_; }
  /** h2 stream metrics of this client, or null (http routers have none). */
  StreamStats* streamStats() { return streams_.get(); }
  /** requestAttemptTimeoutMs (zero: none). */
  std::chrono::milliseconds attemptTimeout() const { return attemptTimeout_; }

 private:
  std::string id_;
  events::EventLoop& loop_;
  sdk::Protocol& protocol_;
  const sdk::LoadBalancer& balancer_;
  uint64_t seed_;
  std::vector<sdk::Address> current_;
  std::map<std::pair<std::string, uint16_t>, std::shared_ptr<EndpointPool>> endpoints_;
  std::vector<sdk::Endpoint*> ordered_;
  sdk::WorkerLoadBalancerPtr picker_;
  /** Rebuilds ordered_ and the balancer's view from endpoints_. */
  void rebuild();
  /** Drops probation endpoints that are no longer healthy. */
  void evictUnhealthy();

  RequestStats stats_;
  std::unique_ptr<StreamStats> streams_;
  bool probation_ = false;
  std::set<std::pair<std::string, uint16_t>> onProbation_;
  PoolSettings pool_;
  std::chrono::milliseconds attemptTimeout_;
};

}  // namespace ferry::core::router
