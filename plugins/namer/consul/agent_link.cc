#include "plugins/namer/consul/agent_link.h"

#include <algorithm>

namespace ferry::plugins::namer::consul {

/** Any answer at all means the agent accepts connections again. */
class AgentLink::ProbeHandler final : public sdk::HttpResponseHandler {
 public:
  explicit ProbeHandler(AgentLink* link) : link_(link) {}
  void detach() { link_ = nullptr; }
  void onHead(int, const sdk::HeaderList&) override {}
  void onData(std::string_view) override {}
  void onComplete() override {
    if (link_) link_->probeAnswered();
  }
  void onError(const std::string&) override {
    if (link_) link_->probeFailed();
  }

 private:
  AgentLink* link_;
};

AgentLink::AgentLink(sdk::HostContext& host, AgentEndpoint endpoint) : host_(host), endpoint_(std::move(endpoint)) {}

AgentLink::~AgentLink() {
  if (probeHandler_) probeHandler_->detach();
}

bool AgentLink::park(uint64_t id, std::function<void()> resume) {
  if (!endpoint_.failFast || !down_) return false;
  parked_[id] = std::move(resume);
  return true;
}

void AgentLink::connectFailed(const std::string& reason) {
  if (!endpoint_.failFast || down_) return;
  down_ = true;
  host_.logger().warning("consul agent at " + endpoint_.show() + " marked down (failFast): " + reason +
                         "; probing it before any watch connects again");
  backoff_.reset();
  probeTimer_ = host_.mainDispatcher().schedule(backoff_.next(), [this] { probe(); });
}

void AgentLink::probe() {
  probeTimer_.reset();
  sdk::HttpClientRequest request;
  request.host = endpoint_.host;
  request.port = endpoint_.port;
  request.tls = endpoint_.tls;
  request.target = "/v1/status/leader";
  request.headTimeout = std::chrono::milliseconds(5000);
  if (!endpoint_.token.empty()) request.headers.emplace_back("X-Consul-Token", endpoint_.token);
  if (probeHandler_) probeHandler_->detach();
  probeHandler_ = std::make_shared<ProbeHandler>(this);
  probeCall_ = host_.httpClient().send(std::move(request), probeHandler_);
}

void AgentLink::probeFailed() {
  probeTimer_ = host_.mainDispatcher().schedule(backoff_.next(), [this] { probe(); });
}

void AgentLink::probeAnswered() {
  down_ = false;
  host_.logger().info("consul agent at " + endpoint_.show() + " answers again; resuming " +
                      std::to_string(parked_.size()) + " watches");
  // Resumed queries may park again (if the agent fails at once) or be destroyed by their
  // owners' updates: take them out first.
  auto resume = std::move(parked_);
  parked_.clear();
  for (auto& [id, fn] : resume) fn();
}

}  // namespace ferry::plugins::namer::consul
