#include "core/router/upstreams.h"

#include "core/router/router.h"

namespace ferry::core::router {
namespace {

/** The connection pool a client config gives one bound id (TLS commonName with its captures). */
PoolSettings poolSettings(const Router& router, const config::ClientParams& params) {
  PoolSettings pool;
  if (params.poolMinSize) pool.minSize = static_cast<std::size_t>(*params.poolMinSize);
  if (params.poolMaxSize) pool.maxSize = static_cast<std::size_t>(*params.poolMaxSize);
  if (params.poolMaxWaiters) pool.maxWaiters = static_cast<std::size_t>(*params.poolMaxWaiters);
  if (params.poolIdleTimeMs) pool.idleTime = std::chrono::milliseconds(*params.poolIdleTimeMs);
  if (params.connectTimeoutMs) pool.connectTimeout = std::chrono::milliseconds(*params.connectTimeoutMs);
  if (params.tls && router.clientTls(*params.tls)) {
    pool.tls = router.clientTls(*params.tls);
    // commonName may name the prefix's captures: "{service}.example.com".
    std::string name = router.config().client.tls[*params.tls].commonName.value_or("");
    for (const auto& [k, v] : params.tlsCaptures) {
      for (auto at = name.find("{" + k + "}"); at != std::string::npos; at = name.find("{" + k + "}")) {
        name.replace(at, k.size() + 2, v);
      }
    }
    pool.tlsServerName = name;
  }
  return pool;
}

}  // namespace

Client& Upstreams::client(const sdk::BoundName& bound, const std::string& id) {
  auto& slot = clients_[id];
  if (!slot) {
    auto params = router_.config().client.resolve(bound.id);
    slot = std::make_unique<Client>(id, loop_, router_.protocol(), router_.balancer(params), rng_(), store_,
                                    router_.label(), poolSettings(router_, params),
                                    std::chrono::milliseconds(params.requestAttemptTimeoutMs.value_or(0)),
                                    params.enableProbation.value_or(false));
    slot->update(bound.addr.addresses);
  }
  return *slot;
}

Client* Upstreams::find(const std::string& id) {
  auto it = clients_.find(id);
  return it == clients_.end() ? nullptr : it->second.get();
}

void Upstreams::update(const naming::BoundTree& tree) {
  // Endpoint sets change when a snapshot arrives, not per request.
  if (tree.isLeaf()) {
    if (Client* c = find(tree.value().id.show())) c->update(tree.value().addr.addresses);
    return;
  }
  for (const auto& child : tree.children()) update(child);
}

}  // namespace ferry::core::router
