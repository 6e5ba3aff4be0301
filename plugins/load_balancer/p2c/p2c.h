#pragma once
// p2c: power of two choices, least outstanding requests (Finagle's P2CLeastLoaded), scaled by
// endpoint weight. Picks two distinct endpoints at random and takes the less loaded; an
// unavailable pick is retried up to maxEffort times.

#include <random>

#include "ferry/sdk/load_balancer.h"

namespace ferry::plugins::load_balancer::p2c {

/** Load of an endpoint as p2c sees it: outstanding requests divided by weight. */
double load(const sdk::Endpoint& e);

class P2cWorker final : public sdk::WorkerLoadBalancer {
 public:
  P2cWorker(std::vector<sdk::Endpoint*> endpoints, uint64_t seed, int maxEffort)
      : endpoints_(std::move(endpoints)), rng_(seed), maxEffort_(maxEffort) {}
  sdk::Endpoint* pick() override;

 private:
  std::vector<sdk::Endpoint*> endpoints_;
  std::mt19937_64 rng_;
  int maxEffort_;
};

}  // namespace ferry::plugins::load_balancer::p2c
