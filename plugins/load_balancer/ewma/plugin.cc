// ewma: power of two choices on peak-EWMA latency times load (Finagle's P2CPeakEwma).
//
//   client:
//     loadBalancer: {kind: ewma, maxEffort: 5, decayTimeMs: 10000}
//
// Cost of an endpoint = its latency estimate x (outstanding + 1) / weight. The estimate is the
// core's per-sample peak EWMA, decayed here in time: an endpoint idle for decayTimeMs weighs
// only 1/e of its past latency, so a slow endpoint gets a new chance after it recovers.

#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "ferry/sdk/load_balancer.h"
#include "plugins/common/balancer/balancer_factory.h"
#include "plugins/common/balancer/max_effort.h"

namespace ferry::plugins::load_balancer::ewma {
namespace {

struct Settings {
  int maxEffort = 5;
  double decayMs = 10000;
};

class Worker final : public sdk::WorkerLoadBalancer {
 public:
  Worker(std::vector<sdk::Endpoint*> endpoints, uint64_t seed, Settings s)
      : endpoints_(std::move(endpoints)), seen_(endpoints_.size()), rng_(seed), s_(s) {}

  sdk::Endpoint* pick() override {
    const std::size_t n = endpoints_.size();
    if (n == 0) return nullptr;
    if (n == 1) return endpoints_[0];
    auto now = std::chrono::steady_clock::now();
    std::uniform_int_distribution<std::size_t> dist(0, n - 1);
    for (int attempt = 0; attempt < s_.maxEffort; ++attempt) {
      std::size_t a = dist(rng_), b = dist(rng_);
      if (a == b) b = (a + 1) % n;
      bool okA = endpoints_[a]->available(), okB = endpoints_[b]->available();
      if (!okA && !okB) continue;
      std::size_t chosen = !okA ? b : !okB ? a : (cost(b, now) < cost(a, now) ? b : a);
      return endpoints_[chosen];
    }
    return endpoints_[dist(rng_)];
  }

 private:
  double cost(std::size_t i, std::chrono::steady_clock::time_point now) {
    const sdk::Endpoint& e = *endpoints_[i];
    auto& seen = seen_[i];
    double latency = e.latencyEwmaMs();
    if (latency != seen.latency) {
      seen.latency = latency;
      seen.at = now;
    }
    double idleMs = std::chrono::duration<double, std::milli>(now - seen.at).count();
    double decayed = latency * std::exp(-idleMs / s_.decayMs);
    double w = e.address().weight > 0 ? e.address().weight : 1e-9;
    return (decayed + 1e-3) * (e.outstanding() + 1) / w;
  }

  struct Seen {
    double latency = -1;
    std::chrono::steady_clock::time_point at{};
  };
  std::vector<sdk::Endpoint*> endpoints_;
  std::vector<Seen> seen_;
  std::mt19937_64 rng_;
  Settings s_;
};

/** The keys, read alike by validate() and create(). */
sdk::Result<Settings> parse(const sdk::ConfigView& config) {
  Settings s;
  auto effort = common::readMaxEffort(config);
  if (!effort) return effort.status();
  auto decay = config.integer("decayTimeMs", 10000);
  if (!decay) return decay.status();
  if (*effort < 1 || *decay < 1) {
    return sdk::Result<Settings>::failure(config.location() + ": maxEffort and decayTimeMs must be positive");
  }
  s.maxEffort = static_cast<int>(*effort);
  s.decayMs = static_cast<double>(*decay);
  return s;
}

const common::BalancerFactory<Worker, Settings> kFactory("ewma", &parse);

}  // namespace
}  // namespace ferry::plugins::load_balancer::ewma

// Static registration for ewma. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-load_balancer-ewma", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kLoadBalancer, "ewma",
                                         ferry::plugins::load_balancer::ewma::kFactory))
