#pragma once
// Linker: the running process. Owns the main loop, the worker loops, the stats store, the
// plugin instances made from the config, the routers and the admin server.
//
// Threads: main (config, naming, discovery, admin state), N workers (connections), and the
// admin server's own threads, which only post work to main and wait for the answer.

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/signal_set.hpp>

#include "core/config/linker_config.h"
#include "core/dns/cares_resolver.h"
#include "core/http_client/async_http_client.h"
#include "core/naming/interpreter.h"
#include "core/plugin/plugged.h"
#include "core/events/event_loop.h"
#include "core/server/inotify_watcher.h"
#include "core/server/plugin_host.h"
#include "core/stats/stats_store.h"
#include "ferry/sdk/namer.h"
#include "ferry/sdk/transformer.h"

namespace ferry::core::admin {
class AdminServer;
}
namespace ferry::core::router {
class Router;
}

namespace ferry::core::server {

struct LinkerOptions {
  std::size_t workers = 1;
};

class Linker {
 public:
  Linker(config::LinkerConfig config, std::shared_ptr<plugin::PluginRegistry> registry, LinkerOptions options);
  ~Linker();

  /** Creates plugin instances, binds every port and starts the workers. Thread: main. */
  sdk::Status start();
  /** Creates the namers only: enough for offline delegation (`ferry delegate`). */
  sdk::Status startNaming() { return createNamers(); }
  /** Runs the main loop until shutdown completes. Returns the exit code. */
  int run();
  /** Starts a graceful shutdown (drain, then exit). Thread: any. */
  void requestShutdown(const std::string& why);

  /** Runs `fn` on the main thread and waits for it (admin threads). False on timeout. */
  bool runOnMain(const std::function<void()>& fn, std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // --- state read by the admin server, on the main thread -------------------------------
  const config::LinkerConfig& config() const { return config_; }
  const std::vector<naming::ConfiguredNamer>& namers() const { return configuredNamers_; }
  /** The namer serving `/#/<prefix>` (prefix without `/#`), or nullptr. */
  sdk::Namer* namerByPrefix(const sdk::Path& prefix) const;
  stats::StatsStore& stats() { return *stats_; }
  const std::vector<std::unique_ptr<router::Router>>& routers() const { return routers_; }
  router::Router* routerByLabel(const std::string& label) const;
  events::EventLoop& mainLoop() { return main_; }
  const std::vector<std::unique_ptr<events::EventLoop>>& workers() const { return workerLoops_; }

 private:
  sdk::Status createNamers();
  sdk::Result<std::vector<const sdk::Transformer*>> createTransformers(
      const std::vector<config::PluginBlock>& blocks, const std::string& scope,
      std::vector<plugin::Plugged<sdk::Transformer, PluginHost>>& owner);
  sdk::Status createRouters();
  void startWorkers();
  void stopWorkers();
  void drainThenStop();
  void scheduleHistogramRoll();

  config::LinkerConfig config_;
  std::shared_ptr<plugin::PluginRegistry> registry_;
  LinkerOptions options_;

  events::EventLoop main_;
  std::unique_ptr<boost::asio::signal_set> signals_;  ///< SIGINT, SIGTERM: drain and exit
  std::unique_ptr<stats::StatsStore> stats_;
  InotifyWatcher fileWatcher_;
  http_client::AsyncHttpClient httpClient_;
  dns::CaresResolver dnsResolver_;
  SharedServices services_;

  std::vector<plugin::Plugged<sdk::Namer, PluginHost>> namers_;
  std::vector<plugin::Plugged<sdk::Transformer, PluginHost>> namerTransformers_;
  std::vector<std::unique_ptr<sdk::Namer>> transformingNamers_;
  std::vector<naming::ConfiguredNamer> configuredNamers_;
  std::vector<std::unique_ptr<router::Router>> routers_;

  std::vector<std::unique_ptr<events::EventLoop>> workerLoops_;
  std::vector<std::thread> workerThreads_;
  std::unique_ptr<admin::AdminServer> admin_;
  sdk::TimerPtr histogramRoll_;
  sdk::TimerPtr drainTimer_;
  std::atomic<bool> shuttingDown_{false};
  int exitCode_ = 0;
};

}  // namespace ferry::core::server
