#include "core/router/client.h"

namespace ferry::core::router {

Client::Client(std::string id, server::EventLoop& loop, sdk::Protocol& protocol, const sdk::LoadBalancer& balancer,
               uint64_t seed, stats::StatsStore& store, const std::string& routerLabel, PoolSettings pool,
               std::chrono::milliseconds attemptTimeout)
    : id_(std::move(id)),
      loop_(loop),
      protocol_(protocol),
      balancer_(balancer),
      seed_(seed),
      stats_(store, "rt/" + routerLabel + "/client/" + scopeName(id_)),
      streams_(protocol.multiplexed() ? std::make_unique<StreamStats>(store, stats_.prefix()) : nullptr),
      pool_(pool),
      attemptTimeout_(attemptTimeout) {}

Client::~Client() {
  for (auto& [key, pool] : endpoints_) pool->shutdown();
}

void Client::update(const std::vector<sdk::Address>& addresses) {
  if (addresses == current_ && picker_) return;
  current_ = addresses;
  std::map<std::pair<std::string, uint16_t>, std::shared_ptr<EndpointPool>> next;
  ordered_.clear();
  for (const auto& a : addresses) {
    auto key = std::make_pair(a.host, a.port);
    if (next.count(key)) continue;
    auto it = endpoints_.find(key);
    std::shared_ptr<EndpointPool> pool;
    if (it != endpoints_.end() && it->second->address() == a) {
      pool = it->second;
    } else {
      pool = std::make_shared<EndpointPool>(a, loop_, protocol_, pool_);
    }
    next[key] = pool;
    ordered_.push_back(pool.get());
  }
  // Endpoints that left: close their idle connections; requests in flight hold their pool.
  for (auto& [key, pool] : endpoints_) {
    auto n = next.find(key);
    if (n == next.end() || n->second != pool) pool->shutdown();
  }
  endpoints_ = std::move(next);
  picker_ = ordered_.empty() ? nullptr : balancer_.forWorker(ordered_, seed_);
}

std::shared_ptr<EndpointPool> Client::pick() {
  if (!picker_) return nullptr;
  auto* chosen = picker_->pick();
  if (!chosen) return nullptr;
  const auto& a = chosen->address();
  auto it = endpoints_.find(std::make_pair(a.host, a.port));
  return it == endpoints_.end() ? nullptr : it->second;
}

}  // namespace ferry::core::router
