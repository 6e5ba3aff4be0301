#pragma once
// Upstreams: one router's upstream side on one worker. A Client per bound id (its endpoints,
// their connection pools, the balancer's per-worker picker and the client's metrics), made on
// first use with the pool, TLS and timeout settings the router's client config gives that id,
// and refreshed when a binding snapshot brings new endpoint sets. RouterWorker names and routes
// requests; this is where they go. Retries and failure accrual land here, not in the worker.
//
// Thread: the worker's. Nothing here locks or blocks.

#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "core/naming/interpreter.h"
#include "core/router/client.h"

namespace ferry::core::events {
class EventLoop;
}
namespace ferry::core::stats {
class StatsStore;
}

namespace ferry::core::router {

class Router;

class Upstreams {
 public:
  Upstreams(Router& router, events::EventLoop& loop, stats::StatsStore& store, std::mt19937_64& rng)
      : router_(router), loop_(loop), store_(store), rng_(rng) {}

  /** The client for `bound` (shown as `id`), made with its current endpoints on first use. */
  Client& client(const sdk::BoundName& bound, const std::string& id);
  /** The client for `id` if this worker has one. */
  Client* find(const std::string& id);
  /** New endpoint sets for the clients of `tree`'s leaves that this worker has; others take
   *  theirs when made. */
  void update(const naming::BoundTree& tree);

 private:
  Router& router_;
  events::EventLoop& loop_;
  stats::StatsStore& store_;
  std::mt19937_64& rng_;  ///< the worker's: seeds each client's balancer
  std::unordered_map<std::string, std::unique_ptr<Client>> clients_;
};

}  // namespace ferry::core::router
