// Registration of io.l5d.consul, and its config block (Linkerd 1.7.5's keys).

#include <string>

#include "ferry/sdk/namer.h"
#include "plugins/common/discovery/client_tls.h"
#include "plugins/namer/consul/consul_namer.h"

namespace ferry::plugins::namer::consul {
namespace {

/**
 *   namers:
 *   - kind: io.l5d.consul
 *     host: localhost              # the agent (default localhost)
 *     port: 8500
 *     token: <acl token>           # sent as X-Consul-Token
 *     includeTag: false            # names /<dc>/<tag>/<service> when true
 *     useHealthCheck: false        # read /v1/health (checks) instead of /v1/catalog
 *     healthStatuses: [passing]    # with useHealthCheck: passing, warning, critical, maintenance
 *     setHost: false               # Host becomes [<tag>.]<service>.service.<dc>.<domain>
 *     consistencyMode: default     # default, stale or consistent
 *     preferServiceAddress: true   # the service's address before its node's
 *     weights: [{tag: canary, weight: 0.1}]
 *     transferMetadata: false      # the service's Meta into each address's metadata
 *     failFast: false              # true: one probe while the agent is down (agent_link.h)
 *     fixedLengthStreamedAfterKB: 5120
 *     waitSecs: 300                # Ferry: the `wait` of each blocking query (1-600)
 *     tls: {commonName: ..., trustCerts: [...]}   # TLS to the agent (client_tls.h)
 */
std::string errorsOf(const std::string& all, const std::string& one) { return all.empty() ? one : all + "\n" + one; }

template <typename T>
bool take(sdk::Result<T> r, T* out, std::string& errors) {
  if (!r) {
    errors = errorsOf(errors, r.message());
    return false;
  }
  *out = *r;
  return true;
}

sdk::Result<ConsulSettings> parseSettings(const sdk::ConfigView& config) {
  ConsulSettings s;
  std::string errors;
  if (auto tls = config.child("tls")) s.agent.tls = discovery::readClientTls(*tls, errors);
  take(config.string("host", "localhost"), &s.agent.host, errors);
  int64_t port = 8500;
  if (take(config.integer("port", 8500), &port, errors) && (port < 1 || port > 65535)) {
    errors = errorsOf(errors, config.child("port")->location() + ": port must be 1-65535, got " + std::to_string(port));
  }
  s.agent.port = static_cast<uint16_t>(port);
  take(config.string("token", ""), &s.agent.token, errors);
  take(config.boolean("includeTag", false), &s.includeTag, errors);
  take(config.boolean("useHealthCheck", false), &s.useHealthCheck, errors);
  take(config.boolean("setHost", false), &s.setHost, errors);
  take(config.boolean("preferServiceAddress", true), &s.preferServiceAddress, errors);
  take(config.boolean("transferMetadata", false), &s.transferMetadata, errors);
  take(config.boolean("failFast", false), &s.agent.failFast, errors);

  std::string mode = "default";
  if (take(config.string("consistencyMode", "default"), &mode, errors)) {
    if (mode == "stale") {
      s.agent.consistency = ConsistencyMode::Stale;
    } else if (mode == "consistent") {
      s.agent.consistency = ConsistencyMode::Consistent;
    } else if (mode != "default") {
      errors = errorsOf(errors, config.child("consistencyMode")->location() + ": consistencyMode must be default, "
                                                                              "stale or consistent, got '" + mode + "'");
    }
  }

  if (auto statuses = config.child("healthStatuses")) {
    s.healthStatuses.clear();
    if (statuses->type() != sdk::ConfigView::Type::Sequence || statuses->size() == 0) {
      errors = errorsOf(errors, statuses->location() +
                                    ": healthStatuses must be a non-empty list of passing, warning, critical, "
                                    "maintenance");
    } else {
      for (std::size_t i = 0; i < statuses->size(); ++i) {
        auto item = statuses->at(i);
        std::string text;
        if (!take(item->asString(), &text, errors)) continue;
        auto status = parseHealthStatus(text);
        if (!status) {
          errors = errorsOf(errors, item->location() + ": unknown health status '" + text +
                                        "' (passing, warning, critical or maintenance)");
          continue;
        }
        s.healthStatuses.insert(*status);
      }
    }
  }

  if (auto weights = config.child("weights")) {
    if (weights->type() != sdk::ConfigView::Type::Sequence) {
      errors = errorsOf(errors, weights->location() + ": weights must be a list of {tag, weight}");
    } else {
      for (std::size_t i = 0; i < weights->size(); ++i) {
        auto item = weights->at(i);
        std::string tag;
        double weight = 1.0;
        bool ok = take(item->requiredString("tag"), &tag, errors);
        auto w = item->child("weight");
        if (!w) {
          errors = errorsOf(errors, item->missing("weight"));
          continue;
        }
        if (!take(w->asDouble(), &weight, errors) || !ok) continue;
        if (!(weight >= 0)) {
          errors = errorsOf(errors, w->location() + ": weight must be zero or more");
          continue;
        }
        s.tagWeights[tag] = weight;
      }
    }
  }

  int64_t streamedAfter = 5120;
  if (take(config.integer("fixedLengthStreamedAfterKB", 5120), &streamedAfter, errors) && streamedAfter < 0) {
    errors = errorsOf(errors, config.child("fixedLengthStreamedAfterKB")->location() +
                                  ": fixedLengthStreamedAfterKB must be zero or more");
  }
  int64_t wait = 300;
  if (take(config.integer("waitSecs", 300), &wait, errors) && (wait < 1 || wait > 600)) {
    errors = errorsOf(errors, config.child("waitSecs")->location() +
                                  ": waitSecs must be 1-600 (Consul caps a blocking query's wait at 10 minutes)");
  }
  s.agent.waitSeconds = static_cast<int>(wait);
  if (!errors.empty()) return sdk::Result<ConsulSettings>::failure(errors);
  return s;
}

class ConsulNamerFactory final : public sdk::NamerFactory {
 public:
  const char* kind() const override { return "io.l5d.consul"; }

  sdk::Status validate(const sdk::ConfigView& config) const override { return parseSettings(config).status(); }

  sdk::Result<sdk::NamerPtr> create(const sdk::ConfigView& config, const sdk::NamerContext& context) const override {
    auto settings = parseSettings(config);
    if (!settings) return settings.status();
    return sdk::NamerPtr(std::make_unique<ConsulNamer>(std::move(*settings), context));
  }
};

const ConsulNamerFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::namer::consul

// Static registration for io.l5d.consul. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-namer-consul", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.consul",
                                         ferry::plugins::namer::consul::kFactory))
