#include "core/router/router.h"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

#include "core/net/listener.h"
#include "core/net/tcp_stream.h"
#include "core/router/router_worker.h"
#include "core/util/log.h"

namespace ferry::core::router {
namespace {

/** The load balancer every client uses until client parameters land (Linkerd's default). */
constexpr const char* kDefaultBalancer = "p2c";

/** A config view with no keys: the default balancer's empty block. */
sdk::Result<config::ConfigNodePtr> emptyBlock() { return config::parseConfigText("{}", "<default>"); }

/**
 * Makes one plugin object per block: the client's or service's own blocks, then the default
 * (last, with no view). A block without a plugin is only ever the default one: the config
 * parser already refused unknown kinds.
 */
template <typename Factory, typename Interface, typename MakeHost>
sdk::Status makeAll(const std::vector<config::KindBlock>& blocks, const std::string& defaultKind, const std::string& what,
                    MakeHost& host, std::vector<plugin::Plugged<Interface, server::PluginHost>>& out) {
  for (const auto& block : blocks) {
    if (!block.plugin) return sdk::Status::error("its default " + what + " '" + defaultKind + "' is not loaded (see ferry --list-plugins)");
    plugin::Plugged<Interface, server::PluginHost> made;
    made.library = block.plugin->library;
    made.host = host(block.kind);
    auto empty = emptyBlock();
    config::NodeView defaults(*empty);
    const sdk::ConfigView& view = block.view ? static_cast<const sdk::ConfigView&>(*block.view) : defaults;
    auto instance = static_cast<const Factory*>(block.plugin->factory)->create(view, *made.host);
    if (!instance) return sdk::Status::error(what + " " + block.kind + ": " + instance.message());
    made.instance = std::move(instance).value();
    out.push_back(std::move(made));
  }
  return sdk::Status::ok();
}

}  // namespace

Router::Router(const config::RouterConfig& config, RouterDeps deps) : config_(config), deps_(std::move(deps)) {
  for (const auto& server : config_.servers) {
    requestSlots_.push_back(std::make_unique<SharedLimit>(server.maxConcurrentRequests));
    connectionSlots_.push_back(std::make_unique<SharedLimit>(server.maxConnections));
  }
}

bool Router::admit(std::size_t index) { return requestSlots_[index]->take(); }

void Router::release(std::size_t index) { requestSlots_[index]->give(); }

Router::~Router() {
  for (auto& l : listeners_) l->stop();
}

sdk::Result<std::unique_ptr<Router>> Router::create(const config::RouterConfig& config, RouterDeps deps) {
  std::unique_ptr<Router> r(new Router(config, std::move(deps)));
  const std::string rt = "rt/" + config.label;
  auto host = [&](const std::string& component) {
    return std::make_unique<server::PluginHost>(r->deps_.services, component, rt);
  };

  const auto& proto = config.protocol;
  auto* protocolFactory = static_cast<const sdk::ProtocolFactory*>(proto.plugin->factory);
  r->protocol_.library = proto.plugin->library;
  r->protocol_.host = host("router/" + config.label);
  auto protocol = protocolFactory->create(*proto.view, *r->protocol_.host);
  if (!protocol) return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "': " + protocol.message());
  r->protocol_.instance = std::move(protocol).value();

  for (const auto& block : config.identifiers) {
    plugin::Plugged<sdk::Identifier, server::PluginHost> id;
    id.library = block.plugin->library;
    id.host = host(block.kind);
    auto* factory = static_cast<const sdk::IdentifierFactory*>(block.plugin->factory);
    sdk::IdentifierContext ctx{config.dstPrefix, proto.kind, id.host.get()};
    sdk::Result<sdk::IdentifierPtr> made = sdk::Result<sdk::IdentifierPtr>::failure("");
    if (block.view) {
      made = factory->create(*block.view, ctx);
    } else {
      auto empty = emptyBlock();
      made = factory->create(config::NodeView(*empty), ctx);
    }
    if (!made) return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "' identifier " + block.kind + ": " + made.message());
    id.instance = std::move(made).value();
    r->identifiers_.push_back(std::move(id));
  }

  // Balancers: every `loadBalancer` block of the client config, then the default p2c.
  std::vector<config::KindBlock> blocks = config.client.balancers;
  blocks.push_back(config::KindBlock{kDefaultBalancer, r->deps_.registry->find(sdk::category::kLoadBalancer, kDefaultBalancer), nullptr});
  if (auto s = makeAll<sdk::LoadBalancerFactory>(blocks, kDefaultBalancer, "load balancer", host, r->balancers_); !s) {
    return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "': " + s.message());
  }

  // TLS: certificates and keys are read now, so a bad path fails at startup, not per connection.
  const std::string alpn = protocolFactory->alpnProtocol();
  for (const auto& s : config.servers) {
    if (!s.tls) {
      r->serverTls_.push_back(nullptr);
      continue;
    }
    auto ctx = net::TlsContext::server(*s.tls, alpn);
    if (!ctx) return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "' server " + s.ip + ":" + std::to_string(s.port) + ": " + ctx.message());
    r->serverTls_.push_back(*ctx);
  }
  for (const auto& t : config.client.tls) {
    if (!t.enabled) {
      r->clientTls_.push_back(nullptr);
      continue;
    }
    auto ctx = net::TlsContext::client(t, alpn);
    if (!ctx) return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "' client: " + ctx.message());
    r->clientTls_.push_back(*ctx);
  }

  // Classifiers: every service `responseClassifier` block, then the protocol's default.
  std::vector<config::KindBlock> classifierBlocks = config.service.classifiers;
  const std::string defaultClassifier = protocolFactory->defaultResponseClassifier();
  classifierBlocks.push_back(config::KindBlock{
      defaultClassifier, r->deps_.registry->find(sdk::category::kResponseClassifier, defaultClassifier), nullptr});
  if (auto s = makeAll<sdk::ResponseClassifierFactory>(classifierBlocks, defaultClassifier, "response classifier", host,
                                                       r->classifiers_);
      !s) {
    return sdk::Result<std::unique_ptr<Router>>::failure("router '" + config.label + "': " + s.message());
  }

  for (std::size_t i = 0; i < r->deps_.workers.size(); ++i) {
    r->workers_.push_back(std::make_unique<RouterWorker>(*r, i, *r->deps_.workers[i], *r->deps_.services.stats));
  }
  return r;
}

sdk::Status Router::start() {
  for (const auto& s : config_.servers) {
    auto l = std::make_unique<net::Listener>(s.ip, s.port);
    auto bound = l->bind(deps_.main->io());
    if (!bound) return sdk::Status::error("router '" + config_.label + "': " + bound.message());
    listeners_.push_back(std::move(l));
  }
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    listeners_[i]->start(deps_.workers, [this, i](std::size_t worker, std::shared_ptr<net::TcpStream> stream) {
      workers_[worker]->onAccept(i, std::move(stream));
    });
    util::logLine(sdk::LogLevel::Info, "router/" + config_.label,
                  "serving " + config_.protocol.kind + " on " + listeners_[i]->address());
  }
  return sdk::Status::ok();
}

void Router::stopAccepting() {
  for (auto& l : listeners_) l->stop();
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    RouterWorker* w = workers_[i].get();
    deps_.workers[i]->post([w] { w->drainConnections(); });
  }
}

std::size_t Router::inFlight() const {
  std::size_t n = 0;
  for (const auto& w : workers_) n += w->inFlight();
  return n;
}

std::vector<std::string> Router::serverAddresses() const {
  std::vector<std::string> out;
  for (const auto& l : listeners_) out.push_back(l->address());
  return out;
}

void Router::requestBinding(std::size_t workerIndex, const std::string& key, sdk::Path name, naming::Dtab localDtab) {
  // Runs on the worker: hop to the main thread, where naming lives.
  deps_.main->post([this, workerIndex, key, name = std::move(name), localDtab = std::move(localDtab)] {
    auto& live = bindings_[key];
    if (live.subscribers.empty()) live.subscribers.assign(workers_.size(), false);
    live.subscribers[workerIndex] = true;
    if (live.binding) {
      // Already bound for another worker: send this one the current state.
      if (live.last) {
        auto snap = live.last;
        auto* w = workers_[workerIndex].get();
        deps_.workers[workerIndex]->post([w, key, snap] { w->onSnapshot(key, snap); });
      }
      return;
    }
    naming::Dtab full = config_.dtab.concat(localDtab);
    live.binding = std::make_unique<naming::Binding>(
        *deps_.namers, full, name, [this, key](const naming::BoundActivity& act) { publish(key, act); },
        deps_.transformers);
  });
}

BoundSnapshot::BoundSnapshot(naming::BoundActivity a) : activity(std::move(a)) {
  if (!activity.isOk()) return;
  std::vector<const naming::BoundTree*> todo{&activity.value};
  while (!todo.empty()) {
    const naming::BoundTree* t = todo.back();
    todo.pop_back();
    if (t->isLeaf()) {
      shownIds_.emplace(&t->value(), t->value().id.show());
      continue;
    }
    for (const auto& child : t->children()) todo.push_back(&child);
  }
}

const std::string& BoundSnapshot::shownId(const sdk::BoundName& leaf) const {
  auto it = shownIds_.find(&leaf);
  if (it != shownIds_.end()) return it->second;
  static thread_local std::string shown;  // not a leaf of this snapshot: show it now
  shown = leaf.id.show();
  return shown;
}

void Router::publish(const std::string& key, const naming::BoundActivity& activity) {
  auto& live = bindings_[key];
  auto snap = std::make_shared<const BoundSnapshot>(activity);
  live.last = snap;
  for (std::size_t i = 0; i < live.subscribers.size(); ++i) {
    if (!live.subscribers[i]) continue;
    auto* w = workers_[i].get();
    deps_.workers[i]->post([w, key, snap] { w->onSnapshot(key, snap); });
  }
}

void Router::addClientState(boost::json::object& out) const {
  // Every bound leaf of every live binding: the client's current address set.
  std::function<void(const naming::BoundTree&)> visit = [&](const naming::BoundTree& t) {
    if (t.isLeaf()) {
      const auto& addr = t.value().addr;
      const char* state = addr.kind == sdk::AddrState::Kind::Bound    ? "bound"
                          : addr.kind == sdk::AddrState::Kind::Neg    ? "neg"
                          : addr.kind == sdk::AddrState::Kind::Failed ? "failed"
                                                                      : "pending";
      boost::json::array addresses;
      for (const auto& a : addr.addresses) addresses.push_back(boost::json::string(a.host + ":" + std::to_string(a.port)));
      out[t.value().id.show()] = boost::json::object{{"state", state}, {"addresses", std::move(addresses)}};
    }
    for (const auto& c : t.children()) visit(c);
  };
  for (const auto& [key, live] : bindings_) {
    if (live.last && live.last->activity.isOk()) visit(live.last->activity.value);
  }
}

}  // namespace ferry::core::router
