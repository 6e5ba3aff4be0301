// Registration of io.l5d.k8s.daemonset (Linkerd 1.7.5's keys).

#include "ferry/sdk/transformer.h"
#include "plugins/common/k8s/api_access.h"
#include "plugins/transformer/k8s_daemonset/daemonset_transformer.h"

namespace ferry::plugins::transformer::k8s_daemonset {
namespace {

/**
 *   transformers:
 *   - kind: io.l5d.k8s.daemonset
 *     namespace: linkerd        # required: where the daemonset's Service is
 *     service: l5d              # required: the Service selecting the daemonset's pods
 *     port: incoming            # required: its port name (or number) that pods listen on
 *     k8sHost: localhost        # the API (a `kubectl proxy` beside Ferry)
 *     k8sPort: 8001
 *     hostNetwork: false        # true: match nodes by nodeName instead of /24 subnet
 *     inCluster, serviceAccountDir, tls, authTokenFile   # Ferry: the API server directly
 */
sdk::Result<DaemonSetSettings> parseSettings(const sdk::ConfigView& config) {
  DaemonSetSettings s;
  std::string errors;
  auto add = [&](const std::string& e) { errors += (errors.empty() ? "" : "\n") + e; };
  auto required = [&](const char* key, std::string* out) {
    auto v = config.requiredString(key);
    if (!v) return add(v.message());
    if (v->empty()) return add(config.child(key)->location() + ": '" + key + "' must not be empty");
    *out = *v;
  };
  required("namespace", &s.ns);
  required("service", &s.service);
  required("port", &s.port);
  if (auto host = config.string("k8sHost", "localhost")) {
    s.api.host = *host;
  } else {
    add(host.message());
  }
  if (auto port = config.integer("k8sPort", 8001); !port) {
    add(port.message());
  } else if (*port < 1 || *port > 65535) {
    add(config.child("k8sPort")->location() + ": k8sPort must be 1-65535, got " + std::to_string(*port));
  } else {
    s.api.port = static_cast<uint16_t>(*port);
  }
  if (auto hostNetwork = config.boolean("hostNetwork", false)) {
    s.hostNetwork = *hostNetwork;
  } else {
    add(hostNetwork.message());
  }
  bool inCluster = false;
  std::string accountDir;
  kube::readApiAccess(config, s.api, &inCluster, &accountDir, errors);
  s.inCluster = inCluster;
  if (!errors.empty()) return sdk::Result<DaemonSetSettings>::failure(errors);
  return s;
}

class DaemonSetFactory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return "io.l5d.k8s.daemonset"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return parseSettings(config).status(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView& config, sdk::HostContext& host) const override {
    auto settings = parseSettings(config);
    if (!settings) return settings.status();
    if (settings->inCluster) {
      if (auto status = kube::resolveInCluster(config, "k8sHost", settings->api); !status) return status;
    }
    auto t = std::make_unique<DaemonSetTransformer>(std::move(*settings), host);
    t->start();
    return sdk::TransformerPtr(std::move(t));
  }
};

const DaemonSetFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::transformer::k8s_daemonset

// Static registration. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-transformer-k8s_daemonset", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.k8s.daemonset",
                                         ferry::plugins::transformer::k8s_daemonset::kFactory))
