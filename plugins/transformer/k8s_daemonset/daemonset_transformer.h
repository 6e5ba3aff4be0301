#pragma once
// io.l5d.k8s.daemonset: sends each endpoint's traffic to the Ferry of the daemonset running on
// that endpoint's node (Linkerd 1.x docs: transformers), for the linker-to-linker DaemonSet
// topology: the outgoing router resolves a service's pods, and this replaces every pod address
// with the address of the daemonset pod on the same node, on the daemonset's port; that Ferry's
// incoming router (with io.l5d.k8s.localnode) delivers it. Pods are on the same node when they
// share a /24 subnet, or, with hostNetwork, when their nodeName metadata matches.
//
// The daemonset's pods are the ready addresses of the Endpoints of `service` in `namespace`,
// followed with the list-then-watch protocol; every binding is transformed again when they
// change (Transformer::watchChanges). Until they are first listed, bindings wait (ready()); if
// they cannot be listed, leaves fail with the API's error. An endpoint whose node has no
// daemonset pod is dropped; a set left empty is Neg. Ids become
// /%/io.l5d.k8s.daemonset/<namespace>/<port>/<service>/<id>.
//
// Thread: main.

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ferry/sdk/transformer.h"
#include "plugins/common/k8s/k8s_api.h"
#include "plugins/common/k8s/list_watch.h"

namespace ferry::plugins::transformer::k8s_daemonset {

struct DaemonSetSettings {
  kube::ApiEndpoint api;
  std::string ns;
  std::string service;
  std::string port;  ///< a port name of the daemonset's Endpoints, or a number
  bool hostNetwork = false;
  bool inCluster = false;  ///< the API server's address from the environment at creation
};

/** Node key -> the daemonset pod's address there, from the daemonset's Endpoints. */
std::map<std::string, sdk::Address> gatewaysByNode(const kube::EndpointsObject& daemonset, const std::string& port,
                                                   bool hostNetwork);

class DaemonSetTransformer final : public sdk::Transformer {
 public:
  DaemonSetTransformer(DaemonSetSettings settings, sdk::HostContext& host);
  ~DaemonSetTransformer() override;
  void start();

  sdk::NameTree<sdk::Name> transform(const sdk::NameTree<sdk::BoundName>& tree) const override;
  sdk::WatchPtr watchChanges(std::function<void()> onChange) const override;
  bool ready() const override { return listed_ || !error_.empty(); }

 private:
  class ListenerHandle;
  void changed();

  DaemonSetSettings settings_;
  sdk::HostContext& host_;
  sdk::Path prefix_;
  std::unique_ptr<kube::ListWatch> watch_;
  bool listed_ = false;
  std::string error_;
  std::map<std::string, sdk::Address> gateways_;
  mutable std::map<uint64_t, std::function<void()>> listeners_;
  mutable uint64_t nextListener_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::plugins::transformer::k8s_daemonset
