#include "plugins/load_balancer/p2c/p2c.h"

namespace ferry::plugins::load_balancer::p2c {

double load(const sdk::Endpoint& e) {
  double w = e.address().weight;
  // Weight 0 keeps an endpoint out of rotation unless nothing else is left.
  if (w <= 0) return 1e18;
  return static_cast<double>(e.outstanding()) / w;
}

sdk::Endpoint* P2cWorker::pick() {
  const std::size_t n = endpoints_.size();
  if (n == 0) return nullptr;
  if (n == 1) return endpoints_[0]->available() ? endpoints_[0] : nullptr;
  std::uniform_int_distribution<std::size_t> dist(0, n - 1);
  sdk::Endpoint* best = nullptr;
  for (int attempt = 0; attempt < maxEffort_ && !best; ++attempt) {
    std::size_t a = dist(rng_);
    std::size_t b = dist(rng_);
    if (b == a) b = (a + 1) % n;
    sdk::Endpoint* x = endpoints_[a];
    sdk::Endpoint* y = endpoints_[b];
    if (!x->available()) std::swap(x, y);
    if (!x->available()) continue;
    best = (y->available() && load(*y) < load(*x)) ? y : x;
  }
  if (best) return best;
  // maxEffort exhausted: like Finagle, fall back to any endpoint rather than failing outright.
  for (auto* e : endpoints_) {
    if (e->available()) return e;
  }
  return endpoints_[dist(rng_)];
}

}  // namespace ferry::plugins::load_balancer::p2c
