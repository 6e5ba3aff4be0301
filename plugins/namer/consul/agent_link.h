#pragma once
// AgentLink: how a consul namer's queries reach their agent, and Linkerd's `failFast` for it.
//
// Without failFast (the default) every query that fails retries on its own backoff. With
// failFast (after Finagle's FailFast, which Linkerd's key turns on for the Consul API client), a
// call that cannot connect marks the agent down: from then on no query connects; each waits,
// parked, while a single probe (GET /v1/status/leader) retries with backoff; the probe's first
// answer marks the agent up and sends every parked query at once. An agent outage then costs
// one connection attempt per backoff step instead of one per watch, and recovery reaches every
// watch as soon as the agent answers.
//
// Thread: main.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ferry/sdk/host.h"
#include "plugins/common/discovery/backoff.h"
#include "plugins/namer/consul/consul_api.h"

namespace ferry::plugins::namer::consul {

/** Where the agent is and what every request to it carries. */
struct AgentEndpoint {
  std::string host = "localhost";
  uint16_t port = 8500;
  std::string token;  ///< sent as X-Consul-Token when not empty
  ConsistencyMode consistency = ConsistencyMode::Default;
  int waitSeconds = 300;
  bool failFast = false;
  sdk::HttpClientTls tls;  ///< `tls`: the agent is reached over TLS

  std::string show() const { return host + ":" + std::to_string(port); }
};

using discovery::Backoff;

class AgentLink {
 public:
  AgentLink(sdk::HostContext& host, AgentEndpoint endpoint);
  ~AgentLink();
  AgentLink(const AgentLink&) = delete;
  AgentLink& operator=(const AgentLink&) = delete;

  const AgentEndpoint& endpoint() const { return endpoint_; }
  sdk::HostContext& host() { return host_; }
  /** With failFast while the agent is down: keeps `resume` to run when it is up, returns true. */
  bool park(uint64_t id, std::function<void()> resume);
  /** Forgets a parked query (it is being destroyed). */
  void unpark(uint64_t id) { parked_.erase(id); }
  /** A call could not connect: with failFast, the agent is down until the probe connects. */
  void connectFailed(const std::string& reason);
  bool down() const { return down_; }
  uint64_t newQueryId() { return nextId_++; }

 private:
  class ProbeHandler;
  void probe();
  void probeAnswered();
  void probeFailed();

  sdk::HostContext& host_;
  AgentEndpoint endpoint_;
  bool down_ = false;
  std::map<uint64_t, std::function<void()>> parked_;
  uint64_t nextId_ = 1;
  Backoff backoff_;
  sdk::HttpCallPtr probeCall_;
  std::shared_ptr<ProbeHandler> probeHandler_;
  sdk::TimerPtr probeTimer_;
};

}  // namespace ferry::plugins::namer::consul
