#include "core/server/linker.h"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>

#include <future>

#include "core/admin/admin_server.h"
#include "core/naming/transformers.h"
#include "core/router/router.h"
#include "core/util/log.h"

namespace ferry::core::server {
namespace {
constexpr auto kHistogramWindow = std::chrono::seconds(60);
constexpr auto kDrainPoll = std::chrono::milliseconds(20);
}  // namespace

Linker::Linker(config::LinkerConfig config, std::shared_ptr<plugin::PluginRegistry> registry, LinkerOptions options)
    : config_(std::move(config)),
      registry_(std::move(registry)),
      options_(options),
      stats_(std::make_unique<stats::StatsStore>(options.workers + 1)),
      fileWatcher_(main_.io()),
      httpClient_(main_.io()),
      dnsResolver_(main_.io()) {
  services_ = SharedServices{&main_, &httpClient_, &fileWatcher_, &dnsResolver_, stats_.get()};
  for (std::size_t i = 0; i < options_.workers; ++i) workerLoops_.push_back(std::make_unique<events::EventLoop>(true));
}

Linker::~Linker() {
  admin_.reset();
  stopWorkers();
  routers_.clear();
  configuredNamers_.clear();
  transformingNamers_.clear();
  namerTransformers_.clear();
  namers_.clear();
}

sdk::Namer* Linker::namerByPrefix(const sdk::Path& prefix) const {
  for (const auto& n : configuredNamers_) {
    if (n.idPrefix.drop(1) == prefix) return n.namer;
  }
  return nullptr;
}

router::Router* Linker::routerByLabel(const std::string& label) const {
  for (const auto& r : routers_) {
    if (r->label() == label) return r.get();
  }
  return nullptr;
}

sdk::Status Linker::createNamers() {
  for (const auto& nc : config_.namers) {
    plugin::Plugged<sdk::Namer, PluginHost> namer;
    namer.library = nc.block.plugin->library;
    namer.host = std::make_unique<PluginHost>(services_, nc.block.kind, "namer" + nc.prefix.show());
    sdk::NamerContext ctx{nc.prefix, sdk::Path({"#"}).concat(nc.prefix), namer.host.get()};
    auto made = static_cast<const sdk::NamerFactory*>(nc.block.plugin->factory)->create(*nc.block.view, ctx);
    if (!made) return sdk::Status::error("namer " + nc.block.kind + " at " + nc.block.mark.show() + ": " + made.message());
    namer.instance = std::move(made).value();
    sdk::Namer* serving = namer.instance.get();
    if (!nc.transformers.empty()) {
      auto made = createTransformers(nc.transformers, "namer" + nc.prefix.show(), namerTransformers_);
      if (!made) return made.status();
      transformingNamers_.push_back(std::make_unique<naming::TransformingNamer>(*serving, *made));
      serving = transformingNamers_.back().get();
    }
    configuredNamers_.push_back(naming::ConfiguredNamer{ctx.idPrefix, serving});
    namers_.push_back(std::move(namer));
  }
  return sdk::Status::ok();
}

sdk::Result<std::vector<const sdk::Transformer*>> Linker::createTransformers(
    const std::vector<config::PluginBlock>& blocks, const std::string& scope,
    std::vector<plugin::Plugged<sdk::Transformer, PluginHost>>& owner) {
  std::vector<const sdk::Transformer*> out;
  for (const auto& b : blocks) {
    plugin::Plugged<sdk::Transformer, PluginHost> t;
    t.library = b.plugin->library;
    t.host = std::make_unique<PluginHost>(services_, b.kind, scope + "/transformer/" + b.kind);
    auto made = static_cast<const sdk::TransformerFactory*>(b.plugin->factory)->create(*b.view, *t.host);
    if (!made) return sdk::Result<std::vector<const sdk::Transformer*>>::failure(b.kind + " at " + b.mark.show() + ": " + made.message());
    t.instance = std::move(made).value();
    out.push_back(t.instance.get());
    owner.push_back(std::move(t));
  }
  return out;
}

sdk::Status Linker::createRouters() {
  std::vector<events::EventLoop*> workers;
  for (auto& w : workerLoops_) workers.push_back(w.get());
  for (const auto& rc : config_.routers) {
    auto transformers = createTransformers(rc.interpreterTransformers, "rt/" + rc.label, namerTransformers_);
    if (!transformers) return transformers.status();
    router::RouterDeps deps{services_, &main_, workers, &configuredNamers_, registry_.get(), *transformers};
    auto r = router::Router::create(rc, deps);
    if (!r) return r.status();
    routers_.push_back(std::move(r).value());
  }
  return sdk::Status::ok();
}

sdk::Status Linker::start() {
  // SIGINT and SIGTERM are ours from before "ready": a supervisor that signals as soon as it sees
  // the process ready gets the drain, not the default action's kill.
  signals_ = std::make_unique<boost::asio::signal_set>(main_.io(), SIGINT, SIGTERM);
  signals_->async_wait([this](const boost::system::error_code& ec, int sig) {
    if (!ec) requestShutdown(sig == SIGINT ? "SIGINT" : "SIGTERM");
  });
  stats::registerProcessMetrics(*stats_);
  if (auto s = createNamers(); !s) return s;
  if (auto s = createRouters(); !s) return s;
  admin_ = std::make_unique<admin::AdminServer>(*this);
  if (auto s = admin_->start(); !s) return s;
  for (auto& r : routers_) {
    if (auto s = r->start(); !s) return s;
  }
  startWorkers();
  scheduleHistogramRoll();
  return sdk::Status::ok();
}

void Linker::scheduleHistogramRoll() {
  histogramRoll_ = main_.schedule(kHistogramWindow, [this] {
    stats_->rollHistograms();
    scheduleHistogramRoll();
  });
}

void Linker::startWorkers() {
  for (std::size_t i = 0; i < workerLoops_.size(); ++i) {
    workerThreads_.emplace_back([this, i] {
      stats::setThreadShard(i + 1);
      workerLoops_[i]->run();
    });
  }
}

void Linker::stopWorkers() {
  for (auto& w : workerLoops_) w->stop();
  for (auto& t : workerThreads_) {
    if (t.joinable()) t.join();
  }
  workerThreads_.clear();
}

int Linker::run() {
  main_.run();
  return exitCode_;
}

void Linker::requestShutdown(const std::string& why) {
  if (shuttingDown_.exchange(true)) return;
  boost::asio::post(main_.io(), [this, why] {
    util::logLine(sdk::LogLevel::Info, "linker", "shutting down (" + why + "), draining for at most " +
                                                     std::to_string(config_.admin.shutdownGraceMs) + " ms");
    for (auto& r : routers_) r->stopAccepting();
    drainThenStop();
  });
}

void Linker::drainThenStop() {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config_.admin.shutdownGraceMs);
  auto check = std::make_shared<std::function<void()>>();
  *check = [this, deadline, check] {
    std::size_t inFlight = 0;
    for (auto& r : routers_) inFlight += r->inFlight();
    if (inFlight == 0 || std::chrono::steady_clock::now() >= deadline) {
      if (inFlight) util::logLine(sdk::LogLevel::Warning, "linker", std::to_string(inFlight) + " requests cut at the grace deadline");
      drainTimer_.reset();
      main_.stop();
      // Break the self-reference last: this destroys the running lambda, so nothing of it may
      // be touched afterwards.
      auto keep = check;
      *keep = nullptr;
      return;
    }
    drainTimer_ = main_.schedule(kDrainPoll, [check] {
      if (*check) (*check)();
    });
  };
  (*check)();
}

bool Linker::runOnMain(const std::function<void()>& fn, std::chrono::milliseconds timeout) {
  auto done = std::make_shared<std::promise<void>>();
  auto future = done->get_future();
  boost::asio::post(main_.io(), [fn, done] {
    fn();
    done->set_value();
  });
  return future.wait_for(timeout) == std::future_status::ready;
}


}  // namespace ferry::core::server
