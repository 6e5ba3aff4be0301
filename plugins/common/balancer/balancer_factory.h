#pragma once
// What every balancer plugin shares: a LoadBalancer that makes one `Worker(endpoints, seed,
// settings)` per worker loop, and a factory whose validate() and create() read the same keys
// with one `parse` function. A plugin supplies its Worker, its Settings and parse. Header-only:
// each balancer is its own .so.

#include <memory>
#include <vector>

#include "ferry/sdk/load_balancer.h"

namespace ferry::plugins::common {

/** For balancers without keys. */
struct NoSettings {};
inline sdk::Result<NoSettings> parseNoSettings(const sdk::ConfigView&) { return NoSettings{}; }

template <typename Worker, typename Settings>
class SettingsBalancer final : public sdk::LoadBalancer {
 public:
  explicit SettingsBalancer(Settings settings) : settings_(std::move(settings)) {}
  sdk::WorkerLoadBalancerPtr forWorker(const std::vector<sdk::Endpoint*>& endpoints, uint64_t seed) const override {
    return std::make_unique<Worker>(endpoints, seed, settings_);
  }

 private:
  Settings settings_;
};

template <typename Worker, typename Settings>
class BalancerFactory final : public sdk::LoadBalancerFactory {
 public:
  using Parse = sdk::Result<Settings> (*)(const sdk::ConfigView&);
  BalancerFactory(const char* kind, Parse parse) : kind_(kind), parse_(parse) {}

  const char* kind() const override { return kind_; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return parse_(config).status(); }
  sdk::Result<sdk::LoadBalancerPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    auto settings = parse_(config);
    if (!settings) return settings.status();
    return sdk::LoadBalancerPtr(std::make_unique<SettingsBalancer<Worker, Settings>>(std::move(settings).value()));
  }

 private:
  const char* kind_;
  Parse parse_;
};

}  // namespace ferry::plugins::common
