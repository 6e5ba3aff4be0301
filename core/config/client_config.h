#pragma once
// `client` and `service` blocks (Linkerd 1.x docs: client and service): `io.l5d.global` applies one set of
// parameters to everything; `io.l5d.static` lists `configs` whose `prefix` matches the client
// name (the bound id) or the service name, later entries overriding earlier ones.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/node_view.h"
#include "core/config/path_matcher.h"
#include "core/config/tls_config.h"
#include "core/plugin/plugin_registry.h"

namespace ferry::core::config {

struct ClientParams {
  /** Index into ClientConfig::balancers, or none for the default (p2c). */
  std::optional<std::size_t> balancer;
  std::optional<int64_t> connectTimeoutMs;
  std::optional<int64_t> requestAttemptTimeoutMs;
  std::optional<int64_t> poolMinSize, poolMaxSize, poolIdleTimeMs, poolMaxWaiters;
  /**
   * `loadBalancer.enableProbation`: false (Linkerd's default), service discovery is
   * authoritative and a removed endpoint leaves at once; true, it is advisory and a removed
   * endpoint stays while it stays healthy (its connections succeed).
   */
  std::optional<bool> enableProbation;
  /** Index into ClientConfig::tls: the connections speak TLS (unless that block says enabled: false). */
  std::optional<std::size_t> tls;
  /** The captures of the prefix whose block set `tls`, for `{service}` in its commonName. */
  std::map<std::string, std::string> tlsCaptures;

  /** Fields set in `later` replace this one's. */
  void overrideWith(const ClientParams& later);
};

/** A resolved plugin block inside client or service params (`loadBalancer`, `responseClassifier`). */
struct KindBlock {
  std::string kind;
  const plugin::RegisteredKind* plugin = nullptr;
  std::shared_ptr<NodeView> view;  ///< null: the default block
};

struct ClientConfig {
  struct Entry {
    PathMatcher prefix;
    ClientParams params;
  };
  std::vector<Entry> entries;          ///< global: one entry with prefix "/"
  std::vector<KindBlock> balancers;
  std::vector<net::ClientTlsConfig> tls;
  /** The merged parameters for client `id`. */
  ClientParams resolve(const sdk::Path& id) const;
};

struct ServiceParams {
  std::optional<int64_t> totalTimeoutMs;
  /** Index into ServiceConfig::classifiers, or none for the protocol's default. */
  std::optional<std::size_t> classifier;
  void overrideWith(const ServiceParams& later);
};

struct ServiceConfig {
  struct Entry {
    PathMatcher prefix;
    ServiceParams params;
  };
  std::vector<Entry> entries;
  std::vector<KindBlock> classifiers;
  ServiceParams resolve(const sdk::Path& service) const;
};

/** Parses a router's `client` block (absent: defaults). Errors are appended to `errors`. */
ClientConfig parseClientConfig(const NodeView* block, const plugin::PluginRegistry& registry,
                               std::vector<std::string>& errors);
ServiceConfig parseServiceConfig(const NodeView* block, const plugin::PluginRegistry& registry,
                                 std::vector<std::string>& errors);

}  // namespace ferry::core::config
