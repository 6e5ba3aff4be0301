#include "core/router/client.h"

namespace ferry::core::router {

Client::Client(std::string id, events::EventLoop& loop, sdk::Protocol& protocol, const sdk::LoadBalancer& balancer,
               uint64_t seed, stats::StatsStore& store, const std::string& routerLabel, PoolSettings pool,
               std::chrono::milliseconds attemptTimeout, bool probation)
    : id_(std::move(id)),
      loop_(loop),
      protocol_(protocol),
      balancer_(balancer),
      seed_(seed),
      stats_(store, "rt/" + routerLabel + "/client/" + scopeName(id_)),
      streams_(protocol.multiplexed() ? std::make_unique<StreamStats>(store, stats_.prefix()) : nullptr),
      probation_(probation),
      pool_(pool),
      attemptTimeout_(attemptTimeout) {}

Client::~Client() {
  for (auto& [key, pool] : endpoints_) pool->shutdown();
}

void Client::update(const std::vector<sdk::Address>& addresses) {
  if (addresses == current_ && picker_) return;
  current_ = addresses;
  std::map<std::pair<std::string, uint16_t>, std::shared_ptr<EndpointPool>> next;
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
    onProbation_.erase(key);  // back in the set: no longer on probation
  }
  // Endpoints that left: close their idle connections (requests in flight hold their pool),
  // unless probation keeps a healthy one.
  for (auto& [key, pool] : endpoints_) {
    auto n = next.find(key);
    if (n != next.end() && n->second == pool) continue;
    if (probation_ && n == next.end() && pool->healthy()) {
      next[key] = pool;
      onProbation_.insert(key);
      continue;
    }
    onProbation_.erase(key);
    pool->shutdown();
  }
  endpoints_ = std::move(next);
  rebuild();
}

void Client::rebuild() {
  ordered_.clear();
  for (auto& [key, pool] : endpoints_) ordered_.push_back(pool.get());
  picker_ = ordered_.empty() ? nullptr : balancer_.forWorker(ordered_, seed_);
}

void Client::evictUnhealthy() {
  bool changed = false;
  for (auto it = onProbation_.begin(); it != onProbation_.end();) {
    auto e = endpoints_.find(*it);
    if (e != endpoints_.end() && e->second->healthy()) {
      ++it;
      continue;
    }
    if (e != endpoints_.end()) {
      e->second->shutdown();
      endpoints_.erase(e);
    }
    it = onProbation_.erase(it);
    changed = true;
  }
  if (changed) rebuild();
}

std::shared_ptr<EndpointPool> Client::pick() {
  if (!onProbation_.empty()) evictUnhealthy();
  if (!picker_) return nullptr;
  auto* chosen = picker_->pick();
  if (!chosen) return nullptr;
  const auto& a = chosen->address();
  auto it = endpoints_.find(std::make_pair(a.host, a.port));
  return it == endpoints_.end() ? nullptr : it->second;
}

}  // namespace ferry::core::router
