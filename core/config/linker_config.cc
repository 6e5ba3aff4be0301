// Reads the Linkerd schema. Every key the core understands is read here; plugin blocks are
// validated by their factories; keys Linkerd has but Ferry does not implement yet are refused
// by name, so a config never silently loses a setting; anything else is an unknown key.

#include "core/config/linker_config.h"

#include <boost/json.hpp>

#include <set>

#include "ferry/sdk/protocol.h"

namespace ferry::core::config {
namespace {

/** Collects errors instead of stopping at the first one. */
class Errors {
 public:
  void add(std::string e) { list_.push_back(std::move(e)); }
  void add(const sdk::Status& s) {
    if (!s) list_.push_back(s.message());
  }
  bool empty() const { return list_.empty(); }
  std::string joined() const {
    std::string out;
    for (const auto& e : list_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }
  std::vector<std::string>& list() { return list_; }

 private:
  std::vector<std::string> list_;
};

template <typename T>
T take(sdk::Result<T> r, T fallback, Errors& errors) {
  if (!r) {
    errors.add(r.message());
    return fallback;
  }
  return std::move(r).value();
}

uint16_t readPort(const NodeView& view, const char* key, uint16_t fallback, Errors& errors) {
  auto c = view.childView(key);
  if (!c) return fallback;
  auto v = c->asInt();
  if (!v) {
    errors.add(v.message());
    return fallback;
  }
  if (*v < 0 || *v > 65535) {
    errors.add(c->location() + ": port " + std::to_string(*v) + " is out of range 0-65535");
    return fallback;
  }
  return static_cast<uint16_t>(*v);
}

/** Resolves `kind` in `category` and runs the factory's validate(). */
PluginBlock resolveBlock(const std::shared_ptr<NodeView>& view, const std::string& category,
                         const std::string& kindKey, const std::string& defaultKind,
                         const plugin::PluginRegistry& registry, Errors& errors) {
  PluginBlock block;
  block.view = view;
  block.mark = view->node()->mark;
  if (view->type() != sdk::ConfigView::Type::Map) {
    errors.add(view->location() + ": expected a " + category + " block (a map with '" + kindKey + "')");
    return block;
  }
  auto kindNode = view->childView(kindKey);
  if (kindNode) {
    block.kind = take(kindNode->asString(), std::string(), errors);
  } else if (!defaultKind.empty()) {
    block.kind = defaultKind;
  } else {
    errors.add(view->missing(kindKey));
    return block;
  }
  if (block.kind.empty()) return block;
  block.plugin = registry.find(category, block.kind);
  if (!block.plugin) {
    errors.add((kindNode ? kindNode->location() : view->location()) + ": " +
               registry.unknownKindMessage(category, block.kind));
    // Nobody can read this block's keys; do not report them as unknown on top.
    for (const auto& key : view->keys()) view->ignore(key);
    return block;
  }
  bool experimental = take(view->boolean("experimental", false), false, errors);
  if (block.plugin->factory->experimental() && !experimental) {
    errors.add(view->location() + ": " + category + " kind '" + block.kind +
               "' is experimental; set 'experimental: true' to use it");
  }
  auto s = block.plugin->factory->validate(*view);
  if (!s) errors.add(block.kind + " at " + view->location() + ": " + s.message());
  return block;
}

std::vector<PluginBlock> resolveList(const std::unique_ptr<NodeView>& list, const std::string& category,
                                     const plugin::PluginRegistry& registry, Errors& errors) {
  std::vector<PluginBlock> out;
  if (!list) return out;
  if (list->type() != sdk::ConfigView::Type::Sequence) {
    errors.add(list->location() + ": expected a list of " + category + " blocks");
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = std::make_shared<NodeView>(list->node()->items[i]);
    out.push_back(resolveBlock(item, category, "kind", "", registry, errors));
  }
  return out;
}

AdminConfig parseAdmin(const NodeView& root, Errors& errors) {
  AdminConfig admin;
  auto v = root.childView("admin");
  if (!v) return admin;
  admin.ip = take(v->string("ip", admin.ip), admin.ip, errors);
  admin.port = readPort(*v, "port", admin.port, errors);
  admin.shutdownGraceMs = take(v->integer("shutdownGraceMs", admin.shutdownGraceMs), admin.shutdownGraceMs, errors);
  admin.workerThreads = static_cast<int>(take(v->integer("workerThreads", admin.workerThreads),
                                              int64_t{admin.workerThreads}, errors));
  if (admin.workerThreads < 1) errors.add(v->location() + ": admin.workerThreads must be at least 1");
  refuseUnsupported(*v, {"socketOptions", "httpIdentifierPort", "tls", "security"}, "admin", errors.list());
  return admin;
}

std::vector<NamerConfig> parseNamers(const NodeView& root, const plugin::PluginRegistry& registry,
                                     Errors& errors) {
  std::vector<NamerConfig> out;
  auto list = root.childView("namers");
  if (!list) return out;
  if (list->type() != sdk::ConfigView::Type::Sequence) {
    errors.add(list->location() + ": 'namers' must be a list");
    return out;
  }
  std::set<sdk::Path> prefixes;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto item = std::make_shared<NodeView>(list->node()->items[i]);
    NamerConfig namer;
    // Category-wide keys first, so the plugin's validate() sees only its own.
    std::string prefixText;
    if (item->type() == sdk::ConfigView::Type::Map) {
      prefixText = take(item->string("prefix", ""), std::string(), errors);
      namer.transformers = resolveList(item->childView("transformers"), sdk::category::kTransformer, registry, errors);
    }
    namer.block = resolveBlock(item, sdk::category::kNamer, "kind", "", registry, errors);
    if (prefixText.empty()) prefixText = "/" + namer.block.kind;
    auto prefix = sdk::Path::parse(prefixText);
    if (!prefix) {
      errors.add(item->location() + ": namer prefix: " + prefix.message());
    } else {
      namer.prefix = *prefix;
      if (!prefixes.insert(namer.prefix).second) {
        errors.add(item->location() + ": namer prefix " + namer.prefix.show() + " is used twice");
      }
    }
    out.push_back(std::move(namer));
  }
  return out;
}

ServerConfig parseServer(const std::shared_ptr<NodeView>& v, uint16_t defaultPort, Errors& errors) {
  ServerConfig server;
  server.view = v;
  if (v->type() != sdk::ConfigView::Type::Map) {
    errors.add(v->location() + ": expected a server block (a map)");
    return server;
  }
  server.ip = take(v->string("ip", server.ip), server.ip, errors);
  server.port = readPort(*v, "port", defaultPort, errors);
  server.maxConcurrentRequests = take(v->integer("maxConcurrentRequests", 0), int64_t{0}, errors);
  server.maxConnections = take(v->integer("maxConnections", 0), int64_t{0}, errors);
  if (server.maxConnections < 0) errors.add(v->location() + ": maxConnections must be 0 (unlimited) or more");
  server.clearContext = take(v->boolean("clearContext", false), false, errors);
  server.tls = parseServerTls(*v, errors.list());
  // serverSession and headerReadTimeoutMs are the protocol's (plugins/common/http/connection_guard.h).
  refuseUnsupported(*v, {"socketOptions", "announce", "timeoutMs"}, "server", errors.list());
  return server;
}

RouterConfig parseRouter(const std::shared_ptr<NodeView>& v, const plugin::PluginRegistry& registry,
                         Errors& errors) {
  RouterConfig router;
  router.view = v;
  if (v->type() != sdk::ConfigView::Type::Map) {
    errors.add(v->location() + ": expected a router block (a map)");
    return router;
  }
  router.protocol = resolveBlock(v, sdk::category::kProtocol, "protocol", "", registry, errors);
  const auto* protocol =
      router.protocol.plugin ? static_cast<const sdk::ProtocolFactory*>(router.protocol.plugin->factory) : nullptr;
  router.label = take(v->string("label", router.protocol.kind), router.protocol.kind, errors);

  auto servers = v->childView("servers");
  if (!servers || servers->type() != sdk::ConfigView::Type::Sequence || servers->size() == 0) {
    errors.add(v->location() + ": router '" + router.label + "' needs 'servers', a non-empty list");
  } else {
    for (std::size_t i = 0; i < servers->size(); ++i) {
      router.servers.push_back(parseServer(std::make_shared<NodeView>(servers->node()->items[i]),
                                           protocol ? protocol->defaultPort() : 0, errors));
    }
  }

  if (auto d = v->childView("dtab")) {
    auto text = d->asString();
    if (!text) {
      errors.add(text.message());
    } else if (auto dtab = naming::Dtab::parse(*text); !dtab) {
      errors.add(d->location() + ": invalid dtab: " + dtab.message());
    } else {
      router.dtab = *dtab;
    }
  }
  auto dst = sdk::Path::parse(take(v->string("dstPrefix", "/svc"), std::string("/svc"), errors));
  if (!dst) {
    errors.add(v->location() + ": dstPrefix: " + dst.message());
  } else {
    router.dstPrefix = *dst;
  }
  router.bindingTimeoutMs = take(v->integer("bindingTimeoutMs", 10000), int64_t{10000}, errors);

  // identifier: one block or a list, defaulting to the protocol's choice.
  if (auto id = v->childView("identifier")) {
    if (id->type() == sdk::ConfigView::Type::Sequence) {
      for (std::size_t i = 0; i < id->size(); ++i) {
        router.identifiers.push_back(resolveBlock(std::make_shared<NodeView>(id->node()->items[i]),
                                                  sdk::category::kIdentifier, "kind", "", registry, errors));
      }
    } else {
      router.identifiers.push_back(
          resolveBlock(std::shared_ptr<NodeView>(std::move(id)), sdk::category::kIdentifier, "kind", "", registry, errors));
    }
  } else if (protocol) {
    std::string kind = protocol->defaultIdentifier();
    auto* found = registry.find(sdk::category::kIdentifier, kind);
    if (!found) {
      errors.add(v->location() + ": router '" + router.label + "' uses the default identifier, but " +
                 registry.unknownKindMessage(sdk::category::kIdentifier, kind));
    }
    router.identifiers.push_back(PluginBlock{kind, found, nullptr, v->node()->mark});
  }

  if (auto interp = v->childView("interpreter")) {
    std::string kind = take(interp->string("kind", "default"), std::string("default"), errors);
    if (kind != "default") {
      errors.add(interp->location() + ": interpreter kind '" + kind +
                 "' is not supported yet; available: default");
      for (const auto& key : interp->keys()) interp->ignore(key);
    }
    router.interpreterTransformers =
        resolveList(interp->childView("transformers"), sdk::category::kTransformer, registry, errors);
  }
  {
    auto client = v->childView("client");
    router.client = parseClientConfig(client.get(), registry, errors.list());
    auto service = v->childView("service");
    router.service = parseServiceConfig(service.get(), registry, errors.list());
  }
  refuseUnsupported(*v, {"announcers", "bindingCache", "originator"}, "router", errors.list());
  return router;
}

void checkUnique(const std::vector<RouterConfig>& routers, Errors& errors) {
  std::set<std::string> labels;
  std::set<std::pair<std::string, uint16_t>> endpoints;
  for (const auto& r : routers) {
    if (!r.view) continue;
    if (!labels.insert(r.label).second) {
      errors.add(r.view->location() + ": router label '" + r.label +
                 "' is used twice; give each router a unique 'label'");
    }
    for (const auto& s : r.servers) {
      if (!s.view || s.port == 0) continue;
      // 0.0.0.0 overlaps every address on the same port.
      for (const auto& [ip, port] : endpoints) {
        if (port == s.port && (ip == s.ip || ip == "0.0.0.0" || s.ip == "0.0.0.0")) {
          errors.add(s.view->location() + ": server " + s.ip + ":" + std::to_string(s.port) +
                     " conflicts with another server on " + ip + ":" + std::to_string(port));
        }
      }
      endpoints.insert({s.ip, s.port});
    }
  }
}

boost::json::value toJson(const ConfigNode& node) {
  switch (node.type) {
    case ConfigNode::Type::Null:
      return nullptr;
    case ConfigNode::Type::Scalar: {
      const std::string& s = node.scalar;
      if (s == "true") return true;
      if (s == "false") return false;
      boost::json::error_code ec;
      auto v = boost::json::parse(s, ec);
      if (!ec && v.is_number()) return v;
      return boost::json::string(s);
    }
    case ConfigNode::Type::Sequence: {
      boost::json::array a;
      for (const auto& i : node.items) a.push_back(toJson(*i));
      return a;
    }
    case ConfigNode::Type::Map: {
      boost::json::object o;
      for (const auto& e : node.entries) o[e.key] = toJson(*e.value);
      return o;
    }
  }
  return nullptr;
}

}  // namespace

sdk::Result<LinkerConfig> parseLinkerConfig(const ConfigNodePtr& root, const plugin::PluginRegistry& registry) {
  Errors errors;
  LinkerConfig config;
  config.root = root;
  config.file = root->mark.file;
  NodeView view(root);
  config.admin = parseAdmin(view, errors);
  config.namers = parseNamers(view, registry, errors);
  auto routers = view.childView("routers");
  if (!routers || routers->type() != sdk::ConfigView::Type::Sequence || routers->size() == 0) {
    errors.add(view.location() + ": 'routers' is required: a list with at least one router");
  } else {
    for (std::size_t i = 0; i < routers->size(); ++i) {
      config.routers.push_back(parseRouter(std::make_shared<NodeView>(routers->node()->items[i]), registry, errors));
    }
  }
  checkUnique(config.routers, errors);
  config.telemeters = resolveList(view.childView("telemetry"), sdk::category::kTelemeter, registry, errors);
  view.ignore("usage");  // Linkerd's usage reporting: accepted and ignored.
  for (auto& e : unknownKeyErrors(*root)) errors.add(std::move(e));
  if (!errors.empty()) return sdk::Result<LinkerConfig>::failure(errors.joined());
  return config;
}

std::string configJson(const ConfigNode& root) { return boost::json::serialize(toJson(root)); }

}  // namespace ferry::core::config
