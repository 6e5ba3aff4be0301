#include "core/router/router_worker.h"

#include <boost/asio/post.hpp>

#include "core/net/tcp_stream.h"
#include "core/router/linkerd_headers.h"
#include "core/router/relay.h"

namespace ferry::core::router {

/** The RequestRouter handed to the codec of each connection accepted on one server. */
struct RouterWorker::ServerSide final : sdk::RequestRouter {
  ServerSide(RouterWorker& w, std::size_t i) : worker(w), index(i) {}
  RouterWorker& worker;
  std::size_t index;
  void onRequest(sdk::ServerExchange& exchange) override { worker.handleRequest(index, exchange); }
};

/** An accepted connection: the stream and the codec serving it. */
struct RouterWorker::Connection {
  std::shared_ptr<net::TcpStream> stream;
  std::unique_ptr<sdk::ByteStreamHandler> codec;
  sdk::Gauge* connections = nullptr;
};

RouterWorker::RouterWorker(Router& router, std::size_t index, events::EventLoop& loop, stats::StatsStore& store)
    : router_(router),
      index_(index),
      loop_(loop),
      store_(store),
      rng_(std::random_device{}() ^ (uint64_t{index} << 32)),
      upstreams_(router, loop, store, rng_) {
  for (std::size_t i = 0; i < router.config().servers.size(); ++i) {
    servers_.push_back(std::make_unique<ServerSide>(*this, i));
  }
}

RouterWorker::~RouterWorker() {
  for (auto& [id, c] : connections_) {
    c->stream->setCloseObserver(nullptr);
    c->stream->abort();
  }
}

void RouterWorker::onAccept(std::size_t serverIndex, std::shared_ptr<net::TcpStream> stream) {
  if (serverStats_.empty()) {
    // Server metric scopes, resolved once per worker: rt/<router>/server/<ip>/<port>.
    for (const auto& addr : router_.serverAddresses()) {
      auto colon = addr.rfind(':');
      auto stats = std::make_unique<RequestStats>(
          store_, "rt/" + router_.label() + "/server/" + addr.substr(0, colon) + "/" + addr.substr(colon + 1));
      serverConnections_.push_back(&store_.gauge(stats->prefix() + "/connections"));
      serverConnects_.push_back(&store_.counter(stats->prefix() + "/connects"));
      serverRefused_.push_back(&store_.counter(stats->prefix() + "/connections_refused"));
      serverStreams_.push_back(router_.protocol().multiplexed() ? std::make_unique<StreamStats>(store_, stats->prefix())
                                                                : nullptr);
      serverStats_.push_back(std::move(stats));
    }
  }
  if (!router_.admitConnection(serverIndex)) {
    // maxConnections: this one is over the cap. Closed at once (the client sees a reset, not a
    // hang), before any TLS or codec work is spent on it.
    serverRefused_[serverIndex]->incr();
    stream->abort();
    return;
  }
  uint64_t id = nextConnectionId_++;
  auto conn = std::make_unique<Connection>();
  conn->stream = stream;
  conn->connections = serverConnections_[serverIndex];
  conn->connections->add(1);
  serverConnects_[serverIndex]->incr();
  if (const auto& tls = router_.serverTls(serverIndex)) stream->startTls(tls);
  conn->codec = router_.protocol().newServerConnection(*stream, *servers_[serverIndex], serverIndex);
  stream->setCloseObserver([this, id, serverIndex] {
    router_.releaseConnection(serverIndex);
    // The codec may be on the stack: free the connection on the next loop turn.
    boost::asio::post(loop_.io(), [this, id] {
      auto it = connections_.find(id);
      if (it == connections_.end()) return;
      it->second->connections->add(-1);
      connections_.erase(it);
    });
  });
  connections_.emplace(id, std::move(conn));
}

void RouterWorker::drainConnections() {
  // Collect first: a codec may close at once, which posts its own removal.
  std::vector<sdk::ByteStreamHandler*> codecs;
  for (auto& [id, c] : connections_) codecs.push_back(c->codec.get());
  for (auto* codec : codecs) codec->onShutdown();
}

std::string RouterWorker::newRequestId() {
  static const char* kHex = "0123456789abcdef";
  uint64_t v = rng_();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[static_cast<std::size_t>(i)] = kHex[v & 15];
  return id;
}

RouterWorker::Service& RouterWorker::service(const std::string& name, const sdk::Path& path) {
  auto& slot = services_[name];
  if (!slot) {
    auto params = router_.config().service.resolve(path);
    slot = std::unique_ptr<Service>(new Service{RequestStats(store_, "rt/" + router_.label() + "/service/" + scopeName(name)),
                                                std::chrono::milliseconds(params.totalTimeoutMs.value_or(0)),
                                                &router_.classifier(params)});
  }
  return *slot;
}

void RouterWorker::handleRequest(std::size_t serverIndex, sdk::ServerExchange& exchange) {
  const auto& serverConfig = router_.config().servers[serverIndex];
  RelayOwner& owner = *this;  // the relay's view of this worker (a private base)
  auto owned = std::make_unique<Relay>(owner, exchange, *serverStats_[serverIndex], serverStreams_[serverIndex].get(),
                                       serverConfig.clearContext);
  Relay* relay = relays_.add(std::move(owned));
  inFlight_.fetch_add(1, std::memory_order_relaxed);

  // 0. Admission: maxConcurrentRequests per server, 503 beyond it.
  if (!router_.admit(serverIndex)) {
    return relay->fail(503, "max concurrent requests (" + std::to_string(serverConfig.maxConcurrentRequests) +
                                ") exceeded on server " + router_.serverAddresses()[serverIndex]);
  }
  relay->onFinish = [this, serverIndex] { router_.release(serverIndex); };

  // 1. Identify: each identifier in order until one names the request.
  std::optional<sdk::Path> name;
  std::string reasons;
  for (const auto& id : router_.identifiers()) {
    auto result = id->identify(relay->head());
    if (result.name) {
      name = std::move(result.name);
      if (result.rewrittenTarget) relay->head().target = *result.rewrittenTarget;
      break;
    }
    reasons += (reasons.empty() ? "" : "; ") + result.reason;
  }
  if (!name) {
    std::string why = "Unknown destination: " + relay->head().method + " " + relay->head().target + " / " + reasons;
    if (router_.protocol().resetsUnidentified()) return relay->refuse({sdk::ResetCode::RefusedStream, why});
    return relay->fail(400, why);
  }

  // 2. The request-local dtab.
  auto local = localDtab(relay->head());
  if (!local) return relay->fail(400, local.message());

  relay->name = std::move(*name);
  relay->local = std::move(*local);
  relay->nameText = relay->name.show();
  relay->bindingKey = relay->local.empty() ? relay->nameText : relay->nameText + "\n" + relay->local.show();
  auto& pending = bindings_[relay->bindingKey];
  if (pending.snapshot && !pending.snapshot->activity.isPending()) return route(relay, pending.snapshot);
  pending.waiting.push_back(relay);
  if (!pending.requested) {
    pending.requested = true;
    router_.requestBinding(index_, relay->bindingKey, relay->name, relay->local);
  }
  if (!pending.timeout) {
    std::string key = relay->bindingKey;
    pending.timeout = loop_.schedule(std::chrono::milliseconds(router_.config().bindingTimeoutMs),
                                     [this, key] { onBindingTimeout(key); });
  }
}

void RouterWorker::onBindingTimeout(const std::string& key) {
  auto it = bindings_.find(key);
  if (it == bindings_.end()) return;
  auto waiting = std::move(it->second.waiting);
  it->second.waiting.clear();
  it->second.timeout.reset();
  for (Relay* r : waiting) {
    r->fail(503, "exceeded " + std::to_string(router_.config().bindingTimeoutMs) + " ms binding timeout while resolving name: " +
                     r->name.show());
  }
}

void RouterWorker::onSnapshot(const std::string& key, BoundSnapshotPtr snapshot) {
  auto& pending = bindings_[key];
  pending.snapshot = snapshot;
  pending.requested = true;
  if (snapshot->activity.isPending()) return;
  pending.timeout.reset();
  if (snapshot->activity.isOk()) upstreams_.update(snapshot->activity.value);
  auto waiting = std::move(pending.waiting);
  pending.waiting.clear();
  for (Relay* r : waiting) route(r, snapshot);
}

void RouterWorker::route(Relay* relay, const BoundSnapshotPtr& snapshot) {
  const auto& act = snapshot->activity;
  const std::string& service = relay->nameText;
  auto noHosts = [&](const std::string& why) {
    relay->fail(502, "No hosts are available for " + service + ", Dtab.base=[" + router_.dtab().show() +
                         "], Dtab.local=[" + relay->local.show() + "]. " + why);
  };
  if (act.isFailed()) return relay->fail(502, "binding " + service + " failed: " + act.error);
  // Walk the bound tree: a union picks one branch per request, by weight.
  const naming::BoundTree* tree = &act.value;
  while (tree->kind() == sdk::NameTreeKind::Union) {
    double total = 0;
    for (double w : tree->weights()) total += w;
    if (total <= 0) return noHosts("every union branch has weight 0");
    double x = std::uniform_real_distribution<double>(0, total)(rng_);
    std::size_t chosen = 0;
    for (; chosen + 1 < tree->children().size(); ++chosen) {
      x -= tree->weights()[chosen];
      if (x < 0 && tree->weights()[chosen] > 0) break;
    }
    tree = &tree->children()[chosen];
  }
  switch (tree->kind()) {
    case sdk::NameTreeKind::Neg: return noHosts("The name did not resolve (neg).");
    case sdk::NameTreeKind::Fail: return noHosts("The dtab says fail (!).");
    case sdk::NameTreeKind::Empty: return noHosts("The name resolved to an empty set ($).");
    default: break;
  }
  const sdk::BoundName& bound = tree->value();
  const std::string& id = snapshot->shownId(bound);
  if (bound.addr.kind != sdk::AddrState::Kind::Bound || bound.addr.addresses.empty()) {
    // With probation a client may still hold endpoints the namer no longer lists.
    Client* existing = upstreams_.find(id);
    if (!existing || existing->empty()) {
      return noHosts("Client " + id + " has no endpoints" + (bound.addr.error.empty() ? "." : ": " + bound.addr.error));
    }
  }
  Client& c = upstreams_.client(bound, id);
  auto endpoint = c.pick();
  if (!endpoint) return noHosts("No endpoint of " + id + " is available.");
  setDestinationHeaders(relay->head(), service, id, bound.residual, relay->local, newRequestId());
  Service& svc = this->service(service, relay->name);
  relay->forward(std::move(endpoint), c, &svc.stats, *svc.classifier, c.attemptTimeout(), svc.totalTimeout);
}

void RouterWorker::relayFinished(Relay* relay) {
  inFlight_.fetch_sub(1, std::memory_order_relaxed);
  // Drop it from a binding wait list, then free it once the current callbacks unwind.
  if (!relay->bindingKey.empty()) {
    auto it = bindings_.find(relay->bindingKey);
    if (it != bindings_.end()) {
      auto& w = it->second.waiting;
      w.erase(std::remove(w.begin(), w.end(), relay), w.end());
    }
  }
  auto owned = relays_.take(*relay);
  if (!owned) return;
  finishedRelays_.push_back(std::move(owned));
  if (!sweepPosted_) {
    sweepPosted_ = true;
    boost::asio::post(loop_.io(), [this] {
      sweepPosted_ = false;
      finishedRelays_.clear();
    });
  }
}

}  // namespace ferry::core::router
