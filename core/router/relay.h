#pragma once
// Relay: one proxied exchange on a worker. It joins the client's ServerExchange to an upstream
// ClientExchange, streams bodies both ways with back-pressure (a full side pauses the other's
// reading), answers Ferry's own errors with l5d-err, and records the metrics when done.
//
// A relay ends when its response has ended or either side was reset; after that it makes no
// call into either exchange, and its worker frees it on the next loop turn.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/naming/dtab.h"
#include "core/router/client.h"
#include "core/router/endpoint_pool.h"
#include "core/router/relay_owner.h"
#include "core/router/request_stats.h"
#include "core/router/stream_stats.h"
#include "ferry/sdk/recycled.h"
#include "ferry/sdk/dispatcher.h"
#include "ferry/sdk/protocol.h"
#include "ferry/sdk/response_classifier.h"

namespace ferry::core::router {

class Relay : public sdk::Recycled<Relay> {
 public:
  /** `serverStreams`: the server's h2 stream metrics, or null (http). */
  Relay(RelayOwner& owner, sdk::ServerExchange& exchange, RequestStats& serverStats, StreamStats* serverStreams,
        bool clearContext);
  ~Relay();

  /** The request head as it will be forwarded (the exchange's own, rewritten in place). */
  sdk::HttpRequestHead& head() { return *head_; }
  /** Answers with a Ferry error: `status`, an `l5d-err` header and the message as body. */
  void fail(int status, const std::string& message);
  /** Refuses the request with a stream reset, no response (h2's answer to an unidentified request). */
  void refuse(const sdk::StreamReset& reset);
  /**
   * Sends the request to `endpoint` of `client`; errors become 502 responses. A timeout (zero:
   * none) that expires before the response head answers 503 and abandons the attempt:
   * `attempt` counts from now (requestAttemptTimeoutMs), `total` from the request's arrival
   * (totalTimeoutMs).
   */
  void forward(std::shared_ptr<EndpointPool> endpoint, Client& client, RequestStats* service,
               const sdk::ResponseClassifier& classifier, std::chrono::milliseconds attempt,
               std::chrono::milliseconds total);

  bool finished() const { return finished_; }
  /** Runs once when the relay finishes (releases the admission slot). */
  std::function<void()> onFinish;
  /** The relay's place in its worker's SlotVector of relays in flight. */
  std::size_t slot = 0;
  /** h2 stream metrics of the server the request came in on (null on http routers). */
  StreamStats* const serverStreams;
  /** Set while the relay waits for a binding. */
  std::string bindingKey;
  std::string nameText;  ///< name.show(), computed once
  sdk::Path name;
  naming::Dtab local;

 private:
  /** Asks the endpoint's pool for a connection; onConnection follows. */
  void acquireConnection();
  void onConnection(PooledConnection* connection, int status, const std::string& error);
  void timedOut(const std::string& which, std::chrono::milliseconds limit);
  void finish(int status, bool success);
  /** h2 message-stream metrics: the request (or response) stream ended or was reset. */
  void requestStreamDone(bool ok, bool upstreamSide);
  void responseStreamDone(bool ok);
  /** The service's verdict on the upstream exchange (null response: none arrived). */
  bool classifiedSuccess(const sdk::HttpResponseHead* response, const sdk::HeaderList* trailers) const;
  void releaseUpstream(bool reusable);

  RelayOwner& owner_;
  sdk::ServerExchange* server_;
  RequestStats& serverStats_;
  bool clearContext_;
  sdk::HttpRequestHead* head_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point upstreamStart_{};  ///< the upstream exchange began
  std::chrono::steady_clock::time_point responseStart_{};  ///< the response head arrived
  // Both sides live inside the relay: one allocation per request, not three.
  struct RequestSide final : sdk::BodyHandler {
    explicit RequestSide(Relay& r) : relay(r) {}
    Relay& relay;
    void onBody(std::string_view chunk) override;
    void onEnd(const sdk::HeaderList& trailers) override;
    void onReset(const sdk::StreamReset& reset) override;
    void onWritable() override;
  } requestSide_{*this};
  struct ResponseSide final : sdk::ResponseHandler {
    explicit ResponseSide(Relay& r) : relay(r) {}
    Relay& relay;
    void onResponseHead(const sdk::HttpResponseHead& head, bool endOfMessage) override;
    void onBody(std::string_view chunk) override;
    void onEnd(const sdk::HeaderList& trailers) override;
    void onReset(const sdk::StreamReset& reset) override;
    void onWritable() override;
    void done(const sdk::HeaderList& trailers, bool sendEnd);
  } responseSide_{*this};

  std::shared_ptr<EndpointPool> endpoint_;
  Client* client_ = nullptr;
  RequestStats* service_ = nullptr;
  StreamStats* clientStreams_ = nullptr;
  const sdk::ResponseClassifier* classifier_ = nullptr;
  /** Set once the response is classified; the head copy is kept only for trailer classifiers. */
  std::optional<bool> success_;
  std::optional<sdk::HttpResponseHead> headForTrailers_;
  PooledConnection* connection_ = nullptr;
  sdk::ClientExchange* upstream_ = nullptr;

  // Request body seen before the upstream exchange existed.
  std::string earlyBody_;
  bool requestEnded_ = false;
  bool bodySent_ = false;  ///< request body bytes went upstream: the request cannot be replayed
  /** Streams the upstream refused for this request; each try went to a connection again. */
  int refusals_ = 0;
  static constexpr int kMaxRefusals = 3;
  sdk::HeaderList requestTrailers_;
  bool responseStarted_ = false;
  bool responseEnded_ = false;
  int status_ = 0;
  bool finished_ = false;
  sdk::TimerPtr attemptTimer_;
  sdk::TimerPtr totalTimer_;
  /** Callbacks held by others (the pool's waiters) check this before touching the relay; made when one is. */
  std::shared_ptr<bool> alive_;
};

}  // namespace ferry::core::router
