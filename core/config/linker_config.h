#pragma once
// The Linkerd 1.7.5 config schema (Linkerd 1.x docs: routers, servers, client, service): what
// the core reads itself, and the plugin blocks it resolves and hands to plugins.
// parseLinkerConfig() checks everything that can be checked without binding ports:
// `ferry --validate-config` is exactly this.

#include <memory>
#include <string>
#include <vector>

#include "core/config/client_config.h"
#include "core/config/tls_config.h"
#include "core/config/config_node.h"
#include "core/config/node_view.h"
#include "core/naming/dtab.h"
#include "core/plugin/plugin_registry.h"

namespace ferry::core::config {

/** A block that names a plugin by `kind` (or `protocol`), resolved in the registry. */
struct PluginBlock {
  std::string kind;
  const plugin::RegisteredKind* plugin = nullptr;
  std::shared_ptr<NodeView> view;
  Mark mark;
};

struct AdminConfig {
  std::string ip = "127.0.0.1";
  uint16_t port = 9990;
  int64_t shutdownGraceMs = 10000;
  int workerThreads = 2;
};

struct NamerConfig {
  PluginBlock block;
  sdk::Path prefix;  ///< without `/#`, e.g. /io.l5d.fs
  std::vector<PluginBlock> transformers;
};

struct ServerConfig {
  std::string ip = "127.0.0.1";
  uint16_t port = 0;
  int64_t maxConcurrentRequests = 0;  ///< 0: unlimited
  /** Ferry's key: connections open at once on this server, all workers together (0: unlimited);
   *  one more is closed as soon as it is accepted. */
  int64_t maxConnections = 0;
  bool clearContext = false;
  std::optional<net::ServerTlsConfig> tls;
  std::shared_ptr<NodeView> view;
};

struct RouterConfig {
  PluginBlock protocol;
  std::string label;
  std::vector<ServerConfig> servers;
  naming::Dtab dtab;
  sdk::Path dstPrefix;
  int64_t bindingTimeoutMs = 10000;
  std::vector<PluginBlock> identifiers;
  std::vector<PluginBlock> interpreterTransformers;
  ClientConfig client;
  ServiceConfig service;
  std::shared_ptr<NodeView> view;
};

struct LinkerConfig {
  std::string file;
  ConfigNodePtr root;
  AdminConfig admin;
  std::vector<NamerConfig> namers;
  std::vector<RouterConfig> routers;
  std::vector<PluginBlock> telemeters;
};

/**
 * Parses and validates a whole config. On failure returns every problem found, one per line,
 * each starting with `file:line:column`.
 */
sdk::Result<LinkerConfig> parseLinkerConfig(const ConfigNodePtr& root, const plugin::PluginRegistry& registry);

/** The config as JSON, as `/config.json` serves it (numbers and booleans typed). */
std::string configJson(const ConfigNode& root);

}  // namespace ferry::core::config
