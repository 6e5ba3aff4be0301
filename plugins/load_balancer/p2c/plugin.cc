// Registration of the p2c load balancer.

#include "ferry/sdk/load_balancer.h"
#include "plugins/common/balancer/balancer_factory.h"
#include "plugins/common/balancer/max_effort.h"
#include "plugins/load_balancer/p2c/p2c.h"

namespace ferry::plugins::load_balancer::p2c {
namespace {

/**
 *   client:
 *     loadBalancer:
 *       kind: p2c
 *       maxEffort: 5      # re-picks when the chosen endpoint is unavailable
 */
const common::BalancerFactory<P2cWorker, int> kFactory("p2c", &common::readMaxEffort);

}  // namespace
}  // namespace ferry::plugins::load_balancer::p2c

// Static registration for p2c. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-load_balancer-p2c", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kLoadBalancer, "p2c",
                                         ferry::plugins::load_balancer::p2c::kFactory))
