#pragma once
// ListWatch: the Kubernetes list-then-watch protocol for one collection (API Concepts,
// "Efficient detection of changes"). It lists the collection, hands the whole state to its
// owner, then watches from the list's resourceVersion: the API streams one JSON event per line
// (ADDED, MODIFIED, DELETED; BOOKMARK, which only moves the resourceVersion on; ERROR). When the
// server ends a watch (its timeoutSeconds), the watch starts again from the last
// resourceVersion seen, without listing. When the resourceVersion is too old (HTTP 410 Gone, or
// an ERROR event with code 410), it lists again. Any other failure (the API down, a non-200
// answer, a line that is not an event) backs off with jitter (10 ms doubling to 10 s, as
// Linkerd's k8s namer) and lists again: the owner keeps its last state until the new list.
//
// Thread: main. Destroying it aborts its call and timers; no hook runs after that.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/sdk/host.h"
#include "plugins/common/discovery/backoff.h"

namespace ferry::plugins::kube {

/** Where the API is (a `kubectl proxy` on localhost by default, as Linkerd). */
struct ApiEndpoint {
  std::string host = "localhost";
  uint16_t port = 8001;
  /** How long each watch runs before the server ends it (the watch's timeoutSeconds). */
  int watchSeconds = 300;
  /** TLS to the API server itself (not needed through a kubectl proxy). */
  sdk::HttpClientTls tls;
  /** A service-account token file, sent as `Authorization: Bearer`; read before every list or
   *  watch, so a rotated token is picked up. Empty: none. */
  std::string tokenFile;

  std::string show() const { return (tls.enabled ? "https://" : "") + host + ":" + std::to_string(port); }
};

class ListWatch {
 public:
  /** What the owner made of one watch line. */
  struct LineOutcome {
    enum class Kind { Applied, Expired, Refused };
    Kind kind = Kind::Applied;
    std::string resourceVersion;  ///< Applied: the version to resume from ("" keeps the last)
    std::string error;            ///< Refused: why
  };
  struct Hooks {
    /** The target of the list (origin-form), and of a watch from a resourceVersion. */
    std::function<std::string()> listTarget;
    std::function<std::string(const std::string& resourceVersion)> watchTarget;
    /** A list's body: applied as the whole state; returns its resourceVersion, or an error. */
    std::function<std::pair<std::string, std::string>(const std::string& body)> onList;
    std::function<LineOutcome(std::string_view line)> onLine;
    /** After each failure (the state stays as it was). */
    std::function<void(const std::string& why)> onFailure;
  };

  /** What `/namer_state` shows of it. */
  struct State {
    std::string resourceVersion;
    uint64_t lists = 0;
    uint64_t watches = 0;
    uint64_t events = 0;
    uint64_t expired = 0;
    uint64_t failures = 0;
    std::string lastError;
    std::string lastTarget;
    std::chrono::system_clock::time_point lastListAt{};
    std::chrono::system_clock::time_point lastEventAt{};
  };

  ListWatch(sdk::HostContext& host, const ApiEndpoint& api, Hooks hooks);
  ~ListWatch();
  ListWatch(const ListWatch&) = delete;
  ListWatch& operator=(const ListWatch&) = delete;

  void start() { list(); }
  /** Counted each time the collection is listed again because its version expired (410). */
  void setRelistCounter(sdk::Counter* counter) { relists_ = counter; }
  const State& state() const { return state_; }
  std::string stateJson() const;
  /** Whether a list has been applied (the owner's state is the API's, maybe stale). */
  bool synced() const { return state_.lists > 0; }

 private:
  class Handler;
  enum class Phase { Listing, Watching };
  void list();
  void watch();
  void send(std::string target, std::chrono::milliseconds idleTimeout);
  void onHead(int status);
  void onData(std::string_view chunk);
  void onComplete();
  void onError(const std::string& why);
  void fail(const std::string& why);
  void relist();
  void abortCall();
  std::string httpError() const;

  sdk::HostContext& host_;
  const ApiEndpoint& api_;
  Hooks hooks_;
  State state_;
  Phase phase_ = Phase::Listing;
  int status_ = 0;
  std::string body_;     ///< a list's body, or a watch's unfinished line
  sdk::HttpCallPtr call_;
  std::shared_ptr<Handler> handler_;
  std::shared_ptr<Handler> retired_;  ///< the last call's, kept while it may still be on the stack
  sdk::TimerPtr retryTimer_;
  std::chrono::steady_clock::time_point watchStartedAt_{};
  uint64_t eventsThisWatch_ = 0;
  sdk::Counter* relists_ = nullptr;
  discovery::Backoff backoff_{std::chrono::milliseconds(10), std::chrono::milliseconds(10'000)};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::plugins::kube
