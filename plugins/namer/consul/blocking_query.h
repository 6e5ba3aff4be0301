#pragma once
// BlockingQuery: one Consul long-poll loop (Consul's "Blocking Queries"). It asks for a
// resource, hands each answer to its owner, and asks again with the X-Consul-Index it got, so
// Consul holds the request until the resource changes or `wait` runs out. Errors (agent down,
// a non-200 answer, a body the owner refuses, no index) back off exponentially with jitter
// (10 ms doubling to 5 s, as Linkerd's consul namer) and start over without an index, since a
// restarted agent may have reset its indexes. A request that outlives its `wait` by more than
// Consul's own jitter (wait/16) and a margin is abandoned as hung.
//
// Thread: main. Destroying the query aborts its call and timers; no callback runs after that.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ferry/sdk/host.h"
#include "plugins/namer/consul/agent_link.h"
#include "plugins/namer/consul/consul_api.h"

namespace ferry::plugins::namer::consul {

/** Why a query's last call failed: kept for `/namer_state` and passed to the owner. */
struct QueryFailure {
  int status = 0;  ///< the HTTP status when the agent answered, else 0
  std::string reason;
};

class BlockingQuery {
 public:
  /** Builds the request target for the given options (index 0: answer at once). */
  using Target = std::function<std::string(const QueryOptions&)>;
  /** An answer's body. Returns an error text to refuse it (malformed), or nullopt. */
  using OnAnswer = std::function<std::optional<std::string>(const std::string& body)>;
  using OnFailure = std::function<void(const QueryFailure&)>;

  /** What `/namer_state/<prefix>.json` shows of a query. */
  struct State {
    uint64_t index = 0;
    uint64_t answers = 0;
    uint64_t failures = 0;
    std::string lastTarget;
    std::optional<QueryFailure> lastFailure;
    std::chrono::system_clock::time_point lastRequestAt{};
    std::chrono::system_clock::time_point lastAnswerAt{};
  };

  BlockingQuery(AgentLink& agent, Target target, OnAnswer onAnswer, OnFailure onFailure, bool blocking = true);
  ~BlockingQuery();
  BlockingQuery(const BlockingQuery&) = delete;
  BlockingQuery& operator=(const BlockingQuery&) = delete;

  /** Sends the first request. */
  void start();
  /** Counted each time the watch starts over without an index (after a failure, or when
   *  Consul's index went backwards). Optional; must outlive the query. */
  void setRestartCounter(sdk::Counter* counter) { restarts_ = counter; }
  const State& state() const { return state_; }
  /** The JSON object of state() for the namer's state page. */
  std::string stateJson() const;

 private:
  class Handler;
  void send();
  void answered(int status, uint64_t index, bool hasIndex, const std::string& body);
  void failed(QueryFailure failure);

  AgentLink& agent_;
  uint64_t id_;
  Target target_;
  OnAnswer onAnswer_;
  OnFailure onFailure_;
  bool blocking_;
  State state_;
  sdk::HttpCallPtr call_;
  std::shared_ptr<Handler> handler_;
  sdk::TimerPtr retryTimer_;
  Backoff backoff_;
  sdk::Counter* restarts_ = nullptr;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::plugins::namer::consul
