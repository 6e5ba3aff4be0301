#pragma once
// Router: one `routers[]` entry at run time (Linkerd 1.x docs: routers). Main-thread side: the protocol
// and identifier instances, the listening sockets, and the live bindings of every name its
// workers have asked for. Worker side: see router_worker.h.

#include <atomic>
#include <map>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/config/linker_config.h"
#include "core/net/tls.h"
#include "core/naming/interpreter.h"
#include "core/plugin/plugged.h"
#include "core/events/event_loop.h"
#include "ferry/sdk/response_classifier.h"
#include "core/server/plugin_host.h"
#include "ferry/sdk/identifier.h"
#include "ferry/sdk/load_balancer.h"
#include "ferry/sdk/protocol.h"

namespace ferry::core::net {
class Listener;
}

namespace ferry::core::router {

class RouterWorker;

/** What a router needs from the process. */
struct RouterDeps {
  server::SharedServices services;
  events::EventLoop* main = nullptr;
  std::vector<events::EventLoop*> workers;
  const std::vector<naming::ConfiguredNamer>* namers = nullptr;
  const plugin::PluginRegistry* registry = nullptr;
  /** The interpreter's transformers, applied to every binding's result. */
  std::vector<const sdk::Transformer*> transformers;
};

/** An immutable bind result published to workers. */
struct BoundSnapshot {
  explicit BoundSnapshot(naming::BoundActivity a);
  naming::BoundActivity activity;
  /** Each bound leaf's id as shown (the client's name), computed once here, not per request. */
  const std::string& shownId(const sdk::BoundName& leaf) const;

 private:
  std::unordered_map<const sdk::BoundName*, std::string> shownIds_;
};
using BoundSnapshotPtr = std::shared_ptr<const BoundSnapshot>;

class Router {
 public:
  /** Creates the protocol and identifier instances. Thread: main. */
  static sdk::Result<std::unique_ptr<Router>> create(const config::RouterConfig& config, RouterDeps deps);
  ~Router();

  /** Binds every server socket (so port conflicts fail startup), then starts accepting. */
  sdk::Status start();
  /** Stops accepting new connections; in-flight requests continue. Thread: main. */
  void stopAccepting();
  /** Requests in flight across workers (approximate while workers run). */
  std::size_t inFlight() const;

  const std::string& label() const { return config_.label; }
  const config::RouterConfig& config() const { return config_; }
  const naming::Dtab& dtab() const { return config_.dtab; }
  /** `ip:port` of each server, with ephemeral ports resolved. */
  std::vector<std::string> serverAddresses() const;
  /** `/client_state.json` entries for this router's clients. Thread: main. */
  void addClientState(boost::json::object& out) const;

  // --- used by workers --------------------------------------------------------------------
  /**
   * Asks the main thread to bind `name` under `localDtab` (the request's l5d-ctx-dtab and
   * l5d-dtab entries). The worker gets every snapshot for that key through its queue.
   * Thread: worker.
   */
  void requestBinding(std::size_t workerIndex, const std::string& key, sdk::Path name, naming::Dtab localDtab);
  const std::vector<plugin::Plugged<sdk::Identifier, server::PluginHost>>& identifiers() const { return identifiers_; }
  sdk::Protocol& protocol() { return *protocol_.instance; }
  /** The balancer a client with `params` uses (its `loadBalancer`, else p2c). */
  const sdk::LoadBalancer& balancer(const config::ClientParams& params) const {
    return *balancers_[params.balancer ? *params.balancer : balancers_.size() - 1].instance;
  }
  /** The classifier a service with `params` uses (its `responseClassifier`, else the protocol's default). */
  const sdk::ResponseClassifier& classifier(const config::ServiceParams& params) const {
    return *classifiers_[params.classifier ? *params.classifier : classifiers_.size() - 1].instance;
  }
  RouterWorker& worker(std::size_t index) { return *workers_[index]; }
  /** Server `index`'s TLS context, or null for plaintext. */
  const std::shared_ptr<const net::TlsContext>& serverTls(std::size_t index) const { return serverTls_[index]; }
  /** The TLS context of client `tls` block `index`. */
  const std::shared_ptr<const net::TlsContext>& clientTls(std::size_t index) const { return clientTls_[index]; }
  /**
   * Admission control for server `index` (`maxConcurrentRequests`): takes a slot, or returns
   * false when the server is at its limit. Thread: any worker (one atomic, no lock).
   */
  bool admit(std::size_t index);
  void release(std::size_t index);
  /** The same for connections (`maxConnections`): false when server `index` has its fill. */
  bool admitConnection(std::size_t index) { return connectionSlots_[index]->take(); }
  void releaseConnection(std::size_t index) { connectionSlots_[index]->give(); }

 private:
  Router(const config::RouterConfig& config, RouterDeps deps);
  void publish(const std::string& key, const naming::BoundActivity& activity);

  config::RouterConfig config_;
  RouterDeps deps_;
  plugin::Plugged<sdk::Protocol, server::PluginHost> protocol_;
  std::vector<plugin::Plugged<sdk::Identifier, server::PluginHost>> identifiers_;
  /** The client config's load balancers, in ClientConfig::balancers order, then the default. */
  std::vector<plugin::Plugged<sdk::LoadBalancer, server::PluginHost>> balancers_;
  std::vector<plugin::Plugged<sdk::ResponseClassifier, server::PluginHost>> classifiers_;
  /** TLS contexts: per server (null: plaintext), and per client `tls` block. */
  std::vector<std::shared_ptr<const net::TlsContext>> serverTls_;
  std::vector<std::shared_ptr<const net::TlsContext>> clientTls_;
  std::vector<std::unique_ptr<RouterWorker>> workers_;
  std::vector<std::unique_ptr<net::Listener>> listeners_;
  /** A count the workers share, with a cap (0: none). One atomic, no lock. */
  class SharedLimit {
   public:
    explicit SharedLimit(int64_t limit) : limit_(limit) {}
    bool take() {
      int64_t before = used_.fetch_add(1, std::memory_order_relaxed);
      if (limit_ > 0 && before >= limit_) {
        used_.fetch_sub(1, std::memory_order_relaxed);
        return false;
      }
      return true;
    }
    void give() { used_.fetch_sub(1, std::memory_order_relaxed); }

   private:
    const int64_t limit_;
    std::atomic<int64_t> used_{0};
  };
  std::vector<std::unique_ptr<SharedLimit>> requestSlots_;     ///< per server: maxConcurrentRequests
  std::vector<std::unique_ptr<SharedLimit>> connectionSlots_;  ///< per server: maxConnections
  /** Live bindings by key (name + local dtab), main thread only. */
  struct LiveBinding {
    std::unique_ptr<naming::Binding> binding;
    std::vector<bool> subscribers;  ///< which workers receive updates
    BoundSnapshotPtr last;
  };
  std::map<std::string, LiveBinding> bindings_;
};

}  // namespace ferry::core::router
