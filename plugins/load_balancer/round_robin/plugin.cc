// roundRobin: endpoints in turn, skipping unavailable ones (at most maxEffort skips).
//
//   client:
//     loadBalancer: {kind: roundRobin, maxEffort: 5}
//
// Weights are honoured by smooth weighted round robin: each endpoint gains its weight every
// pick and the richest is chosen and pays the total, so weight 3 gets three picks in four.

#include <vector>

#include "ferry/sdk/load_balancer.h"
#include "plugins/common/balancer/balancer_factory.h"
#include "plugins/common/balancer/max_effort.h"

namespace ferry::plugins::load_balancer::round_robin {
namespace {

class Worker final : public sdk::WorkerLoadBalancer {
 public:
  Worker(std::vector<sdk::Endpoint*> endpoints, uint64_t, int maxEffort)
      : endpoints_(std::move(endpoints)), credit_(endpoints_.size(), 0.0), maxEffort_(maxEffort) {}

  sdk::Endpoint* pick() override {
    for (int attempt = 0; attempt <= maxEffort_; ++attempt) {
      double total = 0;
      std::size_t best = 0;
      for (std::size_t i = 0; i < endpoints_.size(); ++i) {
        double w = endpoints_[i]->address().weight;
        credit_[i] += w;
        total += w;
        if (credit_[i] > credit_[best]) best = i;
      }
      credit_[best] -= total;
      if (endpoints_[best]->available()) return endpoints_[best];
    }
    for (auto* e : endpoints_) {
      if (e->available()) return e;
    }
    return endpoints_.empty() ? nullptr : endpoints_.front();
  }

 private:
  std::vector<sdk::Endpoint*> endpoints_;
  std::vector<double> credit_;
  int maxEffort_;
};

const common::BalancerFactory<Worker, int> kFactory("roundRobin", &common::readMaxEffort);

}  // namespace
}  // namespace ferry::plugins::load_balancer::round_robin

// Static registration for roundRobin. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-load_balancer-round_robin", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kLoadBalancer, "roundRobin",
                                         ferry::plugins::load_balancer::round_robin::kFactory))
