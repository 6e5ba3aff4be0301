#pragma once
// sdk::HostContext for one plugin instance: shared services, plus a logger and a stats scope of
// its own.

#include <memory>
#include <string>

#include "core/stats/stats_store.h"
#include "core/util/log.h"
#include "ferry/sdk/host.h"

namespace ferry::core::server {

/** The services every plugin instance shares (owned by the Linker). */
struct SharedServices {
  sdk::Dispatcher* mainDispatcher = nullptr;
  sdk::HttpClient* httpClient = nullptr;
  sdk::FileWatcher* fileWatcher = nullptr;
  sdk::DnsResolver* dnsResolver = nullptr;
  stats::StatsStore* stats = nullptr;
};

class PluginHost final : public sdk::HostContext {
 public:
  /** `component` tags log lines; `statsPrefix` scopes metrics (`namer/io.l5d.fs`). */
  PluginHost(const SharedServices& services, std::string component, const std::string& statsPrefix)
      : services_(services), logger_(std::move(component)), stats_(services.stats->scope(statsPrefix)) {}

  sdk::Dispatcher& mainDispatcher() override { return *services_.mainDispatcher; }
  sdk::Logger& logger() override { return logger_; }
  sdk::StatsScope& stats() override { return *stats_; }
  sdk::HttpClient& httpClient() override { return *services_.httpClient; }
  sdk::FileWatcher& fileWatcher() override { return *services_.fileWatcher; }
  sdk::DnsResolver& dnsResolver() override { return *services_.dnsResolver; }

 private:
  SharedServices services_;
  util::ComponentLogger logger_;
  std::unique_ptr<sdk::StatsScope> stats_;
};

}  // namespace ferry::core::server
