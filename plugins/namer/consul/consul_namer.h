#pragma once
// io.l5d.consul: names served from Consul's catalog (Linkerd 1.x docs: namers, "Consul").
//
//   /#/io.l5d.consul/<dc>/<service>[/residual]            includeTag: false
//   /#/io.l5d.consul/<dc>/<tag>/<service>[/residual]      includeTag: true
//
// `<dc>` may be `.local`: the agent's own datacenter (from /v1/agent/self). Service names and
// tags match case-insensitively, as in Linkerd. For each datacenter a lookup touches, one
// blocking query watches its service list, so a service that appears or disappears flips dtab
// fallbacks with no request; for each service observed, one blocking query watches its
// instances (health endpoint with useHealthCheck, catalog otherwise). A service that is not in
// its datacenter's list, has no instance, or a datacenter Consul has no path to, is Neg.
//
// A service or datacenter nobody observes any more is still watched for a minute (a binding
// cache entry that expired, the delegator, `ferry delegate` look the same names up again),
// then dropped: Linkerd kept them forever and kept asking Consul about names nobody used
// (linkerd#1766).
//
// Errors keep the last good state: once a datacenter or service has been read, a failing
// agent changes nothing that routes (the failure shows in /namer_state and the metrics). A
// lookup that never got an answer fails with the agent's error, so its requests carry the
// reason in l5d-err. Every query retries with jittered backoff, without an index (the agent
// may have restarted).
//
// Thread: main, like every namer.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/sdk/namer.h"
#include "plugins/common/discovery/linger.h"
#include "plugins/common/discovery/observer_set.h"
#include "plugins/namer/consul/blocking_query.h"
#include "plugins/namer/consul/consul_api.h"

namespace ferry::plugins::namer::consul {

/** The namer's configuration (Linkerd's keys; see plugin.cc). */
struct ConsulSettings {
  AgentEndpoint agent;
  bool includeTag = false;
  bool useHealthCheck = false;
  std::set<HealthStatus> healthStatuses{HealthStatus::Passing};
  bool setHost = false;
  bool preferServiceAddress = true;
  /** Tag -> weight; an instance weighs as its heaviest listed tag, 1.0 when none is listed. */
  std::map<std::string, double> tagWeights;
  bool transferMetadata = false;
};

/** A service as the namer keys it: lower-cased name, and lower-cased tag with includeTag. */
struct SvcKey {
  std::string name;
  std::optional<std::string> tag;
  friend bool operator<(const SvcKey& a, const SvcKey& b) {
    return a.name != b.name ? a.name < b.name : a.tag < b.tag;
  }
  friend bool operator==(const SvcKey& a, const SvcKey& b) { return a.name == b.name && a.tag == b.tag; }
  std::string show() const { return tag ? name + ":" + *tag : name; }
};

/**
 * The endpoints of a service's instances under `settings`: health filtered (useHealthCheck),
 * the service's own address preferred to its node's (preferServiceAddress), weighted by tag,
 * with metadata (nodeName; authority with setHost; the service's Meta with transferMetadata).
 * Instances without a port or an address are skipped. Sorted, duplicates merged.
 */
std::vector<sdk::Address> toAddresses(const std::vector<ServiceNode>& nodes, const ConsulSettings& settings,
                                      const std::string& authority);

class ConsulNamer final : public sdk::Namer {
 public:
  ConsulNamer(ConsulSettings settings, const sdk::NamerContext& context);
  ~ConsulNamer() override;

  // sdk::Namer
  sdk::WatchPtr lookup(const sdk::Path& path, sdk::NameObserver observer) override;
  std::string stateJson() const override;
  std::vector<sdk::Path> boundNames() const override;

 private:
  enum class Phase { Pending, Ok, Failed, Missing };
  struct Datacenter;
  struct Service;
  using ServiceRef = std::pair<std::string, SvcKey>;  // (datacenter, key)
  /** What lookups name: (datacenter as written in the path, key). */
  using Key = std::pair<std::string, SvcKey>;

  discovery::Resolution resolve(const Key& key);
  void released(const Key& key);
  void notifyDatacenter(const std::string& dc, const std::set<SvcKey>* onlyKeys);
  void notifyService(const ServiceRef& ref);
  void releaseServiceIfUnused(const ServiceRef& ref);
  bool observed(const ServiceRef& ref) const;
  bool sweep();

  bool needsAgent(const std::string& dcWritten) const;
  void startAgentQuery();
  Datacenter& datacenter(const std::string& name);
  Service& service(const ServiceRef& ref, const std::string& consulName);
  std::string authorityFor(const ServiceRef& ref) const;

  std::optional<std::string> onAgentAnswer(const std::string& body);
  std::optional<std::string> onServicesAnswer(const std::string& dc, const std::string& body);
  std::optional<std::string> onNodesAnswer(const ServiceRef& ref, const std::string& body);
  void onDatacenterFailure(const std::string& dc, const QueryFailure& failure);
  void onServiceFailure(const ServiceRef& ref, const QueryFailure& failure);

  ConsulSettings settings_;
  sdk::Path idPrefix_;
  sdk::HostContext& host_;

  AgentLink link_;
  std::unique_ptr<BlockingQuery> agentQuery_;
  std::optional<AgentSelf> agentSelf_;
  std::string agentError_;

  std::map<std::string, std::unique_ptr<Datacenter>> datacenters_;
  std::map<ServiceRef, std::unique_ptr<Service>> services_;
  /** The datacenter each observed key last resolved to (".local" is the agent's). */
  std::map<Key, std::string> resolvedDc_;
  discovery::Linger linger_;

  std::unique_ptr<sdk::StatsScope> dcStats_;
  std::unique_ptr<sdk::StatsScope> serviceStats_;
  sdk::Counter& lookups_;
  sdk::Counter& updates_;
  sdk::Counter& errors_;
  sdk::Counter& watchRestarts_;
  sdk::Counter& dcOpens_;
  sdk::Counter& dcUpdates_;
  sdk::Counter& dcErrors_;
  sdk::Counter& dcAdds_;
  sdk::Counter& dcRemoves_;
  sdk::Counter& serviceOpens_;
  sdk::Counter& serviceCloses_;
  sdk::Counter& serviceUpdates_;
  sdk::Counter& serviceErrors_;
  discovery::ObserverSet<Key> observers_;  // last: destroyed first, before what it resolves from
};

}  // namespace ferry::plugins::namer::consul
