// io.l5d.k8s.localnode: keeps only the endpoints on this Ferry's own node (Linkerd 1.x docs:
// transformers), for the incoming router of the linker-to-linker DaemonSet topology: traffic
// that a peer's io.l5d.k8s.daemonset sent here is delivered to pods on this node only. Pods are
// on this node when they share this pod's /24 subnet (POD_IP, from the downward API), or, with
// hostNetwork, when their nodeName metadata (set by the k8s namers) is NODE_NAME. A set left
// empty is Neg. Ids become /%/io.l5d.k8s.localnode/<pod ip or node name>/<id>.
//
//   transformers:
//   - kind: io.l5d.k8s.localnode
//     hostNetwork: false

#include <cstdlib>
#include <string>

#include "ferry/sdk/transformer.h"
#include "plugins/common/k8s/node_keys.h"

namespace ferry::plugins::transformer::k8s_localnode {
namespace {

class LocalNodeFilter final : public sdk::Transformer {
 public:
  LocalNodeFilter(std::string self, bool hostNetwork)
      : key_(hostNetwork ? self : kube::subnetKey(self)),
        hostNetwork_(hostNetwork),
        prefix_(sdk::Path({"%", "io.l5d.k8s.localnode", self})) {}

  sdk::NameTree<sdk::Name> transform(const sdk::NameTree<sdk::BoundName>& tree) const override {
    return sdk::keepAddresses(tree, prefix_, [this](const sdk::Address& a) { return kube::nodeKey(a, hostNetwork_) == key_; });
  }

 private:
  std::string key_;
  bool hostNetwork_;
  sdk::Path prefix_;
};

class LocalNodeFactory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return "io.l5d.k8s.localnode"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return config.boolean("hostNetwork", false).status(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    auto hostNetwork = config.boolean("hostNetwork", false);
    if (!hostNetwork) return hostNetwork.status();
    // The downward API gives a pod its own IP and its node's name (Linkerd's daemonset example).
    const char* var = *hostNetwork ? "NODE_NAME" : "POD_IP";
    const char* value = std::getenv(var);
    if (!value || !*value) {
      return sdk::Status::error(config.location() + ": io.l5d.k8s.localnode needs the environment variable " +
                                std::string(var) + " (from the downward API" +
                                (*hostNetwork ? ": spec.nodeName)" : ": status.podIP)"));
    }
    return sdk::TransformerPtr(std::make_unique<LocalNodeFilter>(value, *hostNetwork));
  }
};

const LocalNodeFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::transformer::k8s_localnode

// Static registration. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-transformer-k8s_localnode", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.k8s.localnode",
                                         ferry::plugins::transformer::k8s_localnode::kFactory))
