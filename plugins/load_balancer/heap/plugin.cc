// heap: always the least-loaded endpoint (outstanding requests divided by weight), as Finagle's
// heap balancer. Finagle keeps a heap because its load changes under a lock shared by every
// thread; here each worker owns its figures, so a scan finds the minimum without contention.
//
//   client:
//     loadBalancer: {kind: heap}

#include <vector>

#include "ferry/sdk/load_balancer.h"
#include "plugins/common/balancer/balancer_factory.h"

namespace ferry::plugins::load_balancer::heap {
namespace {

class Worker final : public sdk::WorkerLoadBalancer {
 public:
  Worker(std::vector<sdk::Endpoint*> endpoints, uint64_t, common::NoSettings) : endpoints_(std::move(endpoints)) {}

  sdk::Endpoint* pick() override {
    sdk::Endpoint* best = nullptr;
    double bestLoad = 0;
    // Start after the previous choice so ties rotate instead of piling on the first endpoint.
    const std::size_t n = endpoints_.size();
    for (std::size_t k = 0; k < n; ++k) {
      sdk::Endpoint* e = endpoints_[(next_ + k) % n];
      if (!e->available()) continue;
      double w = e->address().weight;
      double load = w > 0 ? (e->outstanding() + 1) / w : 1e18;
      if (!best || load < bestLoad) {
        best = e;
        bestLoad = load;
      }
    }
    next_ = n ? (next_ + 1) % n : 0;
    return best ? best : (n ? endpoints_.front() : nullptr);
  }

 private:
  std::vector<sdk::Endpoint*> endpoints_;
  std::size_t next_ = 0;
};

const common::BalancerFactory<Worker, common::NoSettings> kFactory("heap", &common::parseNoSettings);

}  // namespace
}  // namespace ferry::plugins::load_balancer::heap

// Static registration for heap. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-load_balancer-heap", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kLoadBalancer, "heap",
                                         ferry::plugins::load_balancer::heap::kFactory))
