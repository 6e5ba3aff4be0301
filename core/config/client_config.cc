#include "core/config/client_config.h"

#include "ferry/sdk/load_balancer.h"

namespace ferry::core::config {
namespace {

std::optional<int64_t> positive(const NodeView& v, const char* key, std::vector<std::string>& errors) {
  auto c = v.childView(key);
  if (!c) return std::nullopt;
  auto n = c->asInt();
  if (!n) {
    errors.push_back(n.message());
    return std::nullopt;
  }
  if (*n < 0) {
    errors.push_back(c->location() + ": " + key + " must not be negative");
    return std::nullopt;
  }
  return *n;
}

ClientParams clientParams(const NodeView& v, ClientConfig& out, const plugin::PluginRegistry& registry,
                          std::vector<std::string>& errors) {
  ClientParams p;
  if (auto lb = v.childView("loadBalancer")) {
    KindBlock b;
    b.view = std::shared_ptr<NodeView>(std::move(lb));
    auto kind = b.view->string("kind", "p2c");
    b.kind = kind ? *kind : "p2c";
    if (!kind) errors.push_back(kind.message());
    b.plugin = registry.find(sdk::category::kLoadBalancer, b.kind);
    if (!b.plugin) {
      errors.push_back(b.view->location() + ": " + registry.unknownKindMessage(sdk::category::kLoadBalancer, b.kind));
      for (const auto& key : b.view->keys()) b.view->ignore(key);
    } else {
      // enableProbation is the core's (the client keeps the endpoint set), not the balancer's.
      if (auto probation = b.view->childView("enableProbation")) {
        auto on = probation->asBool();
        if (!on) errors.push_back(on.message());
        else p.enableProbation = *on;
      }
      auto s = b.plugin->factory->validate(*b.view);
      if (!s) errors.push_back(b.kind + " at " + b.view->location() + ": " + s.message());
    }
    p.balancer = out.balancers.size();
    out.balancers.push_back(std::move(b));
  }
  p.connectTimeoutMs = positive(v, "connectTimeoutMs", errors);
  p.requestAttemptTimeoutMs = positive(v, "requestAttemptTimeoutMs", errors);
  if (auto pool = v.childView("hostConnectionPool")) {
    p.poolMinSize = positive(*pool, "minSize", errors);
    p.poolMaxSize = positive(*pool, "maxSize", errors);
    p.poolIdleTimeMs = positive(*pool, "idleTimeMs", errors);
    p.poolMaxWaiters = positive(*pool, "maxWaiters", errors);
    if (p.poolMaxSize && *p.poolMaxSize == 0) errors.push_back(pool->location() + ": maxSize must be at least 1");
  }
  if (auto tls = parseClientTls(v, errors)) {
    p.tls = out.tls.size();
    out.tls.push_back(std::move(*tls));
  }
  refuseUnsupported(v, {"failureAccrual", "failFast", "requeueBudget", "clientSession", "socketOptions",
             "requestAuthorizers", "forwardClientCert"},
         "client", errors);
  return p;
}

ServiceParams serviceParams(const NodeView& v, ServiceConfig& out, const plugin::PluginRegistry& registry,
                            std::vector<std::string>& errors) {
  ServiceParams p;
  p.totalTimeoutMs = positive(v, "totalTimeoutMs", errors);
  if (auto rc = v.childView("responseClassifier")) {
    KindBlock b;
    b.view = std::shared_ptr<NodeView>(std::move(rc));
    auto kind = b.view->requiredString("kind");
    if (!kind) {
      errors.push_back(kind.message());
    } else {
      b.kind = *kind;
      b.plugin = registry.find(sdk::category::kResponseClassifier, b.kind);
      if (!b.plugin) {
        errors.push_back(b.view->location() + ": " + registry.unknownKindMessage(sdk::category::kResponseClassifier, b.kind));
        for (const auto& key : b.view->keys()) b.view->ignore(key);
      } else if (auto s = b.plugin->factory->validate(*b.view); !s) {
        errors.push_back(b.kind + " at " + b.view->location() + ": " + s.message());
      }
      p.classifier = out.classifiers.size();
      out.classifiers.push_back(std::move(b));
    }
  }
  refuseUnsupported(v, {"retries"}, "service", errors);
  return p;
}

template <typename Config, typename ParseParams>
void parseBlock(const NodeView* block, const char* what, Config& out, std::vector<std::string>& errors,
                ParseParams parseParams) {
  auto everything = PathMatcher::parse("/");
  if (!block) {
    out.entries.push_back({*everything, {}});
    return;
  }
  auto kind = block->string("kind", "io.l5d.global");
  if (!kind) {
    errors.push_back(kind.message());
    return;
  }
  if (*kind == "io.l5d.global") {
    out.entries.push_back({*everything, parseParams(*block)});
  } else if (*kind == "io.l5d.static") {
    auto configs = block->childView("configs");
    if (!configs || configs->type() != sdk::ConfigView::Type::Sequence) {
      errors.push_back(block->location() + ": " + what + " kind io.l5d.static needs 'configs', a list");
      return;
    }
    for (std::size_t i = 0; i < configs->size(); ++i) {
      NodeView item(configs->node()->items[i]);
      auto prefix = item.requiredString("prefix");
      if (!prefix) {
        errors.push_back(prefix.message());
        continue;
      }
      auto matcher = PathMatcher::parse(*prefix);
      if (!matcher) {
        errors.push_back(item.location() + ": " + matcher.message());
        continue;
      }
      out.entries.push_back({*matcher, parseParams(item)});
    }
  } else {
    errors.push_back(block->location() + ": " + what + " kind '" + *kind +
                     "' is unknown; available: io.l5d.global, io.l5d.static");
    for (const auto& key : block->keys()) block->ignore(key);
  }
}

}  // namespace

void ClientParams::overrideWith(const ClientParams& later) {
  if (later.balancer) balancer = later.balancer;
  if (later.connectTimeoutMs) connectTimeoutMs = later.connectTimeoutMs;
  if (later.requestAttemptTimeoutMs) requestAttemptTimeoutMs = later.requestAttemptTimeoutMs;
  if (later.poolMinSize) poolMinSize = later.poolMinSize;
  if (later.poolMaxSize) poolMaxSize = later.poolMaxSize;
  if (later.poolIdleTimeMs) poolIdleTimeMs = later.poolIdleTimeMs;
  if (later.poolMaxWaiters) poolMaxWaiters = later.poolMaxWaiters;
  if (later.tls) tls = later.tls;
  if (later.enableProbation) enableProbation = later.enableProbation;
}

void ServiceParams::overrideWith(const ServiceParams& later) {
  if (later.totalTimeoutMs) totalTimeoutMs = later.totalTimeoutMs;
  if (later.classifier) classifier = later.classifier;
}

ClientParams ClientConfig::resolve(const sdk::Path& id) const {
  ClientParams out;
  for (const auto& e : entries) {
    std::map<std::string, std::string> captures;
    if (!e.prefix.matches(id, &captures)) continue;
    out.overrideWith(e.params);
    if (e.params.tls) out.tlsCaptures = std::move(captures);
  }
  return out;
}

ServiceParams ServiceConfig::resolve(const sdk::Path& service) const {
  ServiceParams out;
  for (const auto& e : entries) {
    if (e.prefix.matches(service)) out.overrideWith(e.params);
  }
  return out;
}

ClientConfig parseClientConfig(const NodeView* block, const plugin::PluginRegistry& registry,
                               std::vector<std::string>& errors) {
  ClientConfig out;
  parseBlock(block, "client", out, errors,
             [&](const NodeView& v) { return clientParams(v, out, registry, errors); });
  return out;
}

ServiceConfig parseServiceConfig(const NodeView* block, const plugin::PluginRegistry& registry,
                                 std::vector<std::string>& errors) {
  ServiceConfig out;
  parseBlock(block, "service", out, errors, [&](const NodeView& v) { return serviceParams(v, out, registry, errors); });
  return out;
}

}  // namespace ferry::core::config
