#pragma once
// The parts of Consul's HTTP API (v1) that io.l5d.consul reads, as plain values: the request
// targets it sends and the JSON documents it gets back. No I/O here, so every parser can be
// unit-tested and fuzzed on bytes alone.
//
//   GET /v1/agent/self                     the agent's datacenter and DNS domain (.local, setHost)
//   GET /v1/catalog/services?dc=           a datacenter's services and their tags (blocking)
//   GET /v1/health/service/<name>?dc=&tag= a service's instances with their checks (blocking;
//                                          useHealthCheck)
//   GET /v1/catalog/service/<name>?dc=&tag= a service's instances, health ignored (blocking)
//
// Consul's documentation: https://developer.hashicorp.com/consul/api-docs (catalog, health,
// agent, and "Blocking Queries" under features).

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::plugins::namer::consul {

/** A check's status, ordered from best to worst as Linkerd ranks them. */
enum class HealthStatus { Passing = 0, Warning = 1, Critical = 2, Maintenance = 3 };

/** "passing", "warning", "critical" or "maintenance" (as written in config and by Consul). */
std::optional<HealthStatus> parseHealthStatus(std::string_view text);
const char* healthStatusName(HealthStatus status);

enum class ConsistencyMode { Default, Stale, Consistent };

/** One instance of a service, from either the health or the catalog endpoint. */
struct ServiceNode {
  std::string node;            ///< the node's name
  std::string nodeAddress;     ///< the node's address
  std::string serviceAddress;  ///< the service's own address; may be empty
  int port = -1;               ///< the service's port; -1 when absent
  std::vector<std::string> tags;
  std::map<std::string, std::string> meta;  ///< the service's Meta (string values only)
  HealthStatus health = HealthStatus::Passing;  ///< worst of its checks (catalog: passing)
};

/** What the agent says of itself. */
struct AgentSelf {
  std::string datacenter;
  std::string domain;  ///< DNS domain without leading or trailing dots; "consul" by default
};

/** A parse result: the value, or why the document was refused. */
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;
};

/** `/v1/catalog/services`: service name -> tags. */
Parsed<std::map<std::string, std::vector<std::string>>> parseServices(std::string_view json);
/** `/v1/health/service/<name>`: instances with the worst status of their checks. */
Parsed<std::vector<ServiceNode>> parseHealthNodes(std::string_view json);
/** `/v1/catalog/service/<name>`: instances (health not known: passing). */
Parsed<std::vector<ServiceNode>> parseCatalogNodes(std::string_view json);
/** `/v1/agent/self`. */
Parsed<AgentSelf> parseAgentSelf(std::string_view json);

/** The parts of a request every call shares. */
struct QueryOptions {
  ConsistencyMode consistency = ConsistencyMode::Default;
  /** Blocking: the index to wait past (0: answer at once) and the longest wait, in seconds. */
  uint64_t index = 0;
  int waitSeconds = 300;
};

/** `/v1/catalog/services?dc=...` with the blocking and consistency parameters. */
std::string servicesTarget(const std::string& dc, const QueryOptions& options);
/**
 * `/v1/health/service/<name>?dc=...[&tag=...][&passing]` (useHealthCheck) or
 * `/v1/catalog/service/<name>?dc=...[&tag=...]`.
 */
std::string serviceNodesTarget(const std::string& dc, const std::string& service, const std::optional<std::string>& tag,
                               bool health, bool onlyPassing, const QueryOptions& options);

/**
 * Consul's X-Consul-Index rules (Blocking Queries): the next index to send after a response
 * carrying `received`, given the one sent. An index that went backwards (the cluster's state was
 * restored, or another server answered) starts over at 0; an index must never be 0 once one was
 * received, so 0 is sent as 1.
 */
uint64_t nextIndex(uint64_t sent, uint64_t received);

}  // namespace ferry::plugins::namer::consul
