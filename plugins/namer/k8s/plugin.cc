// Registration of io.l5d.k8s, io.l5d.k8s.ns and io.l5d.k8s.external, and their config blocks
// (Linkerd 1.7.5's keys).

#include <cstdlib>
#include <string>

#include "ferry/sdk/namer.h"
#include "plugins/common/k8s/api_access.h"
#include "plugins/namer/k8s/k8s_namer.h"

namespace ferry::plugins::namer::k8s {
namespace {

std::string joined(const std::string& all, const std::string& one) { return all.empty() ? one : all + "\n" + one; }

/**
 *   - kind: io.l5d.k8s            (or io.l5d.k8s.external, experimental)
 *     host: localhost              # the API, normally a `kubectl proxy` beside Ferry
 *     port: 8001
 *     labelSelector: version       # names gain a segment: the label's value
 *     inCluster, serviceAccountDir, tls, authTokenFile   # Ferry: the API server directly
 *                                                          # (plugins/common/k8s/api_access.h)
 *   - kind: io.l5d.k8s.ns
 *     envVar: POD_NAMESPACE        # where the namespace comes from
 *     (host, port, labelSelector as above)
 */
sdk::Result<K8sSettings> parseSettings(const sdk::ConfigView& config, K8sSettings::Mode mode, bool fixedNamespace) {
  K8sSettings s;
  s.mode = mode;
  std::string errors;
  if (auto host = config.string("host", "localhost")) {
    s.api.host = *host;
  } else {
    errors = joined(errors, host.message());
  }
  if (auto port = config.integer("port", 8001); !port) {
    errors = joined(errors, port.message());
  } else if (*port < 1 || *port > 65535) {
    errors = joined(errors, config.child("port")->location() + ": port must be 1-65535, got " + std::to_string(*port));
  } else {
    s.api.port = static_cast<uint16_t>(*port);
  }
  if (auto label = config.child("labelSelector")) {
    auto text = label->asString();
    if (!text) {
      errors = joined(errors, text.message());
    } else if (text->empty() || text->find_first_of("=,! ") != std::string::npos) {
      errors = joined(errors, label->location() + ": labelSelector is a label name (its value is the segment after " +
                                  "the service in each name), got '" + *text + "'");
    } else {
      s.labelName = *text;
    }
  }
  bool inCluster = false;
  std::string accountDir;
  kube::readApiAccess(config, s.api, &inCluster, &accountDir, errors);
  s.inCluster = inCluster;
  if (fixedNamespace) {
    auto var = config.string("envVar", "POD_NAMESPACE");
    if (!var) {
      errors = joined(errors, var.message());
    } else {
      // Read at creation: validation of a config on another machine does not need it.
      s.fixedNamespace = *var;
    }
  }
  if (!errors.empty()) return sdk::Result<K8sSettings>::failure(errors);
  return s;
}

class K8sFactory final : public sdk::NamerFactory {
 public:
  K8sFactory(const char* kind, K8sSettings::Mode mode, bool fixedNamespace, bool experimental)
      : kind_(kind), mode_(mode), fixedNamespace_(fixedNamespace), experimental_(experimental) {}

  const char* kind() const override { return kind_; }
  bool experimental() const override { return experimental_; }

  sdk::Status validate(const sdk::ConfigView& config) const override {
    return parseSettings(config, mode_, fixedNamespace_).status();
  }

  sdk::Result<sdk::NamerPtr> create(const sdk::ConfigView& config, const sdk::NamerContext& context) const override {
    auto settings = parseSettings(config, mode_, fixedNamespace_);
    if (!settings) return settings.status();
    if (settings->inCluster) {
      if (auto status = kube::resolveInCluster(config, "host", settings->api); !status) return status;
    }
    if (settings->fixedNamespace) {
      const char* value = std::getenv(settings->fixedNamespace->c_str());
      if (!value || !*value) {
        return sdk::Status::error(config.location() + ": " + kind_ + " takes its namespace from the environment " +
                                  "variable " + *settings->fixedNamespace + ", which is not set (envVar names it)");
      }
      settings->fixedNamespace = std::string(value);
    }
    return sdk::NamerPtr(std::make_unique<K8sNamer>(std::move(*settings), context));
  }

 private:
  const char* kind_;
  K8sSettings::Mode mode_;
  bool fixedNamespace_;
  bool experimental_;
};

const K8sFactory kK8s("io.l5d.k8s", K8sSettings::Mode::Endpoints, false, false);
const K8sFactory kK8sNs("io.l5d.k8s.ns", K8sSettings::Mode::Endpoints, true, false);
const K8sFactory kK8sExternal("io.l5d.k8s.external", K8sSettings::Mode::External, false, true);

}  // namespace
}  // namespace ferry::plugins::namer::k8s

// Static registration. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-namer-k8s", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.k8s", ferry::plugins::namer::k8s::kK8s),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.k8s.ns",
                                         ferry::plugins::namer::k8s::kK8sNs),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.k8s.external",
                                         ferry::plugins::namer::k8s::kK8sExternal))
