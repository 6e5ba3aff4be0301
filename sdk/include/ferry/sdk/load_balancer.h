#pragma once
// Load balancer: picks an endpoint per request (Linkerd 1.x docs: load balancers), thread-aware as Envoy's:
// the policy is created on the main thread; each worker builds its own picker from an immutable
// endpoint snapshot and uses it without locks.
//
//   client:
//     loadBalancer: {kind: ewma, maxEffort: 5, decayTimeMs: 10000}

#include <cstdint>
#include <memory>
#include <vector>

#include "ferry/sdk/address.h"
#include "ferry/sdk/host.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

/**
 * An endpoint as a worker sees it. The core keeps the load figures (per worker); balancers only
 * read them. Thread: the worker's. Lifetime: the snapshot's.
 */
class Endpoint {
 public:
  virtual ~Endpoint() = default;
  virtual const Address& address() const = 0;
  /** Requests sent and not yet answered, from this worker. */
  virtual uint32_t outstanding() const = 0;
  /** Peak-EWMA of response latency in milliseconds (0 before the first response). */
  virtual double latencyEwmaMs() const = 0;
  /** False while failure accrual has marked the endpoint dead or its connection is failing. */
  virtual bool available() const = 0;
};

/** A worker's picker for one endpoint snapshot. Thread: one worker; no locks needed. */
class WorkerLoadBalancer {
 public:
  virtual ~WorkerLoadBalancer() = default;
  /** An endpoint for the next request, or nullptr when none is available. */
  virtual Endpoint* pick() = 0;
};
using WorkerLoadBalancerPtr = std::unique_ptr<WorkerLoadBalancer>;

/** The configured policy. Immutable after create(). */
class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  /**
   * Builds a picker over `endpoints` (non-empty, stable order). `seed` differs per worker.
   * Thread: the worker that will use it. Ownership: the endpoints outlive the picker.
   */
  virtual WorkerLoadBalancerPtr forWorker(const std::vector<Endpoint*>& endpoints, uint64_t seed) const = 0;
};
using LoadBalancerPtr = std::unique_ptr<LoadBalancer>;

class LoadBalancerFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kLoadBalancer; }
  /** `enableProbation` is read by the core. Thread: main. */
  virtual Result<LoadBalancerPtr> create(const ConfigView& config, HostContext& host) const = 0;
};

}  // namespace ferry::sdk
