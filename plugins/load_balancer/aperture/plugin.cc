// aperture: least-loaded within a subset (the aperture) that grows under load and shrinks when
// idle (Finagle's ApertureLeastLoaded), so a client talks to few endpoints at low traffic.
//
//   client:
//     loadBalancer: {kind: aperture, maxEffort: 5, smoothWindowMs: 5000, lowLoad: 0.5, highLoad: 2.0, minAperture: 1}
//
// Load = outstanding requests per endpoint in the aperture, smoothed over smoothWindowMs. Above
// highLoad the aperture widens by one; below lowLoad it narrows (never below minAperture). Each
// worker shuffles the endpoints once with its own seed, so workers spread over different subsets.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <vector>

#include "ferry/sdk/load_balancer.h"
#include "plugins/common/balancer/balancer_factory.h"
#include "plugins/common/balancer/max_effort.h"

namespace ferry::plugins::load_balancer::aperture {
namespace {

struct Settings {
  int maxEffort = 5;
  double smoothMs = 5000, lowLoad = 0.5, highLoad = 2.0;
  std::size_t minAperture = 1;
};

class Worker final : public sdk::WorkerLoadBalancer {
 public:
  Worker(std::vector<sdk::Endpoint*> endpoints, uint64_t seed, Settings s) : endpoints_(std::move(endpoints)), rng_(seed), s_(s) {
    std::shuffle(endpoints_.begin(), endpoints_.end(), rng_);
    aperture_ = std::min(std::max<std::size_t>(s_.minAperture, 1), endpoints_.size());
    last_ = std::chrono::steady_clock::now();
  }

  sdk::Endpoint* pick() override {
    if (endpoints_.empty()) return nullptr;
    adjust();
    std::uniform_int_distribution<std::size_t> dist(0, aperture_ - 1);
    for (int attempt = 0; attempt < s_.maxEffort; ++attempt) {
      sdk::Endpoint* a = endpoints_[dist(rng_)];
      sdk::Endpoint* b = endpoints_[dist(rng_)];
      if (!a->available()) std::swap(a, b);
      if (!a->available()) continue;
      return (b->available() && load(*b) < load(*a)) ? b : a;
    }
    for (auto* e : endpoints_) {
      if (e->available()) return e;
    }
    return endpoints_.front();
  }

  std::size_t aperture() const { return aperture_; }

 private:
  static double load(const sdk::Endpoint& e) {
    double w = e.address().weight;
    return w > 0 ? e.outstanding() / w : 1e18;
  }

  void adjust() {
    auto now = std::chrono::steady_clock::now();
    double dtMs = std::chrono::duration<double, std::milli>(now - last_).count();
    last_ = now;
    double outstanding = 0;
    for (std::size_t i = 0; i < aperture_; ++i) outstanding += endpoints_[i]->outstanding();
    double instant = outstanding / static_cast<double>(aperture_);
    double alpha = 1 - std::exp(-dtMs / s_.smoothMs);
    smoothed_ += alpha * (instant - smoothed_);
    if (smoothed_ > s_.highLoad && aperture_ < endpoints_.size()) {
      ++aperture_;
    } else if (smoothed_ < s_.lowLoad && aperture_ > std::max<std::size_t>(s_.minAperture, 1)) {
      --aperture_;
    }
  }

  std::vector<sdk::Endpoint*> endpoints_;
  std::mt19937_64 rng_;
  Settings s_;
  std::size_t aperture_ = 1;
  double smoothed_ = 0;
  std::chrono::steady_clock::time_point last_;
};

/** The keys, read alike by validate() and create(). */
sdk::Result<Settings> parse(const sdk::ConfigView& config) {
  Settings s;
  auto effort = common::readMaxEffort(config);
  auto smooth = config.integer("smoothWindowMs", 5000);
  auto low = config.number("lowLoad", s.lowLoad);
  auto high = config.number("highLoad", s.highLoad);
  auto min = config.integer("minAperture", 1);
  for (const sdk::Status* st : {&effort.status(), &smooth.status(), &low.status(), &high.status(), &min.status()}) {
    if (!*st) return *st;
  }
  if (*effort < 1 || *smooth < 1 || *min < 1 || *low < 0 || *high <= *low) {
    return sdk::Result<Settings>::failure(config.location() +
                                          ": aperture needs maxEffort, smoothWindowMs and minAperture >= 1 and "
                                          "0 <= lowLoad < highLoad");
  }
  s.maxEffort = static_cast<int>(*effort);
  s.smoothMs = static_cast<double>(*smooth);
  s.lowLoad = *low;
  s.highLoad = *high;
  s.minAperture = static_cast<std::size_t>(*min);
  return s;
}

const common::BalancerFactory<Worker, Settings> kFactory("aperture", &parse);

}  // namespace
}  // namespace ferry::plugins::load_balancer::aperture

// Static registration for aperture. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-load_balancer-aperture", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kLoadBalancer, "aperture",
                                         ferry::plugins::load_balancer::aperture::kFactory))
