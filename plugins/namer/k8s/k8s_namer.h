#pragma once
// io.l5d.k8s, io.l5d.k8s.ns and io.l5d.k8s.external: names served from Kubernetes
// (Linkerd 1.x docs: namers, "Kubernetes").
//
//   io.l5d.k8s           /#/<prefix>/<namespace>/<port>/<service>[/<label value>][/residual]
//   io.l5d.k8s.ns        /#/<prefix>/<port>/<service>[/<label value>][/residual]
//                        (the namespace from an environment variable, POD_NAMESPACE by default)
//   io.l5d.k8s.external  as io.l5d.k8s, bound to the Service's load-balancer ingress addresses
//
// `<port>` is a port name, looked up in the service's Endpoints, or a number, the Service's
// port: its targetPort (a number, or a name looked up in the Endpoints) is where the pods
// listen. Only ready addresses count (notReadyAddresses are left out); each carries its
// nodeName in metadata. A service without Endpoints, without that port, or with no ready
// address is Neg, so a dtab fallback takes over with no request. With `labelSelector`, the
// segment after the service is the label's value, and only objects with that label count.
//
// Each namespace (and label value) a lookup touches is watched with one list-then-watch of its
// Endpoints (and of its Services once a lookup needs them), shared by every lookup in it
// (list_watch.h). A namespace nobody observes any more stays watched for a minute, then is
// dropped. Errors keep the last state listed; a namespace never listed fails its lookups with
// the API's error, so requests carry the reason in l5d-err.
//
// Thread: main.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "ferry/sdk/namer.h"
#include "plugins/common/discovery/linger.h"
#include "plugins/common/discovery/observer_set.h"
#include "plugins/common/k8s/k8s_api.h"
#include "plugins/common/k8s/list_watch.h"

namespace ferry::plugins::namer::k8s {
using namespace kube;  // NOLINT: the API's objects and ListWatch, shared with io.l5d.k8s.daemonset

struct K8sSettings {
  enum class Mode { Endpoints, External };
  ApiEndpoint api;
  Mode mode = Mode::Endpoints;
  /** io.l5d.k8s.ns: the namespace every name is in (paths then start at the port). */
  std::optional<std::string> fixedNamespace;
  /** labelSelector: the label whose value follows the service in a name. */
  std::optional<std::string> labelName;
  /** inCluster: the API server's address is read from the environment at creation. */
  bool inCluster = false;
};

/**
 * The endpoints of `endpoints` for `port`: a port name (looked up in each subset), or a Service
 * port number (mapped through `service`'s targetPort). Sorted, duplicates merged.
 */
std::vector<sdk::Address> endpointAddresses(const EndpointsObject& endpoints, const ServiceObject* service,
                                            const std::string& port, bool* portKnown);

class K8sNamer final : public sdk::Namer {
 public:
  K8sNamer(K8sSettings settings, const sdk::NamerContext& context);
  ~K8sNamer() override;

  // sdk::Namer
  sdk::WatchPtr lookup(const sdk::Path& path, sdk::NameObserver observer) override;
  std::string stateJson() const override;
  std::vector<sdk::Path> boundNames() const override;

 private:
  /** A namespace as watched: its name and label selector ("" or "<label>=<value>"). */
  using Scope = std::pair<std::string, std::string>;
  /** What a lookup names: scope, service, port. Ordered so one scope's keys are adjacent. */
  struct Key {
    std::string ns;
    std::string selector;
    std::string service;
    std::string port;
    friend bool operator<(const Key& a, const Key& b) {
      return std::tie(a.ns, a.selector, a.service, a.port) < std::tie(b.ns, b.selector, b.service, b.port);
    }
    friend bool operator==(const Key& a, const Key& b) = default;
  };
  struct Namespace;
  template <typename T>
  struct Collection;

  discovery::Resolution resolve(const Key& key);
  void released(const Key& key);
  Namespace& scope(const Scope& s);
  /** Starts the list-then-watch of one collection of `s` (endpoints or services). */
  template <typename T, typename ParseList, typename ParseEvent>
  void watch(Collection<T>& collection, const Scope& s, const char* resource, ParseList parseList,
             ParseEvent parseEvent);
  void notifyScope(const Scope& s);
  void notifyService(const Scope& s, const std::string& service);
  bool sweep();

  K8sSettings settings_;
  sdk::Path idPrefix_;
  sdk::HostContext& host_;
  std::map<Scope, std::unique_ptr<Namespace>> namespaces_;
  /** Each key's current endpoints (what resolutions point into). */
  std::map<Key, std::vector<sdk::Address>> resolved_;
  discovery::Linger linger_;
  sdk::Counter& lookups_;
  sdk::Counter& updates_;
  sdk::Counter& errors_;
  sdk::Counter& relists_;
  sdk::Counter& events_;
  discovery::ObserverSet<Key> observers_;
};

}  // namespace ferry::plugins::namer::k8s
