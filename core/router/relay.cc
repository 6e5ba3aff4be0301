#include "core/router/relay.h"

#include <algorithm>

#include "core/router/linkerd_headers.h"
#include "core/events/event_loop.h"
#include "core/events/event_time.h"

namespace ferry::core::router {

// --- the client's request body; onWritable means the client can take more response --------

void Relay::RequestSide::onBody(std::string_view chunk) {
  if (relay.finished_) return;
  if (relay.serverStreams) relay.serverStreams->requestBody(true, chunk.size());
  if (!relay.upstream_) {
    relay.earlyBody_.append(chunk);
    return;
  }
  relay.bodySent_ = true;
  if (relay.clientStreams_) relay.clientStreams_->requestBody(false, chunk.size());
  if (!relay.upstream_->sendRequestBody(chunk)) relay.server_->pauseRequestBody(true);
}

void Relay::RequestSide::onEnd(const sdk::HeaderList& trailers) {
  if (relay.finished_) return;
  relay.requestEnded_ = true;
  relay.requestTrailers_ = trailers;
  if (!trailers.empty() && relay.serverStreams) relay.serverStreams->remote.trailers.incr();
  relay.requestStreamDone(true, false);
  if (relay.upstream_) {
    if (!trailers.empty() && relay.clientStreams_) relay.clientStreams_->local.trailers.incr();
    relay.upstream_->endRequest(trailers);
    relay.requestStreamDone(true, true);
  }
}

void Relay::RequestSide::onReset(const sdk::StreamReset& reset) {
  // The client went away or reset its stream: reset the upstream exchange with the same code.
  if (relay.finished_) return;
  relay.server_ = nullptr;
  if (relay.serverStreams) relay.serverStreams->remote.reset.incr();
  if (!relay.requestEnded_) relay.requestStreamDone(false, false);
  if (relay.responseStarted_ && !relay.responseEnded_) relay.responseStreamDone(false);
  if (relay.upstream_) {
    if (relay.clientStreams_) relay.clientStreams_->local.reset.incr();
    if (!relay.requestEnded_) relay.requestStreamDone(false, true);
    relay.upstream_->reset(reset);
  }
  relay.releaseUpstream(false);
  relay.finish(relay.status_, false);
}

void Relay::RequestSide::onWritable() {
  if (!relay.finished_ && relay.upstream_) relay.upstream_->pauseResponseBody(false);
}

// --- the upstream response; onWritable means the upstream can take more request -------------

void Relay::ResponseSide::onResponseHead(const sdk::HttpResponseHead& head, bool endOfMessage) {
  if (relay.finished_) return;
  relay.responseStarted_ = true;
  relay.responseStart_ = events::eventTime();
  relay.status_ = head.status;
  if (endOfMessage || !relay.classifier_->needsTrailers()) {
    relay.success_ = relay.classifiedSuccess(&head, nullptr);
  } else {
    relay.headForTrailers_ = head;
  }
  if (relay.clearContext_) {
    sdk::HttpResponseHead copy = head;
    clearContextHeaders(copy.headers);
    relay.server_->sendResponseHead(copy, endOfMessage);
  } else {
    relay.server_->sendResponseHead(head, endOfMessage);
  }
  if (endOfMessage) done(sdk::HeaderList{}, false);
}

void Relay::ResponseSide::onBody(std::string_view chunk) {
  if (relay.finished_) return;
  if (relay.clientStreams_) relay.clientStreams_->responseBody(true, chunk.size());
  if (relay.serverStreams) relay.serverStreams->responseBody(false, chunk.size());
  if (!relay.server_->sendResponseBody(chunk)) relay.upstream_->pauseResponseBody(true);
}

void Relay::ResponseSide::onEnd(const sdk::HeaderList& trailers) {
  if (relay.finished_) return;
  if (!trailers.empty()) {
    if (relay.clientStreams_) relay.clientStreams_->remote.trailers.incr();
    if (relay.serverStreams) relay.serverStreams->local.trailers.incr();
  }
  done(trailers, true);
}

void Relay::ResponseSide::onReset(const sdk::StreamReset& reset) {
  if (relay.finished_) return;
  relay.upstream_ = nullptr;
  relay.releaseUpstream(false);
  if (relay.clientStreams_) relay.clientStreams_->remote.reset.incr();
  // REFUSED_STREAM means the upstream did not process the stream (a GOAWAY raced it, or its
  // stream limit, which a new connection learns only from the peer's first SETTINGS): with no
  // body bytes sent yet it is safe to start it again, a few times.
  if (!relay.responseStarted_ && reset.code == sdk::ResetCode::RefusedStream && !relay.bodySent_ &&
      ++relay.refusals_ < kMaxRefusals) {
    relay.acquireConnection();
    return;
  }
  // A stream the upstream refused or reset before answering fails as Linkerd's do: 502 with
  // l5d-err. A reset mid-response reaches the client as a reset with the same code.
  if (!relay.responseStarted_) {
    relay.fail(502, "connection to " + relay.endpoint_->text() + " (" + relay.client_->id() +
                        ") failed: " + (reset.reason.empty() ? "closed before a response" : reset.reason));
    return;
  }
  if (relay.serverStreams) relay.serverStreams->local.reset.incr();
  relay.responseStreamDone(false);
  relay.server_->reset(reset);
  relay.server_ = nullptr;
  relay.finish(relay.status_, false);
}

void Relay::ResponseSide::onWritable() {
  if (!relay.finished_ && relay.server_) relay.server_->pauseRequestBody(false);
}

void Relay::ResponseSide::done(const sdk::HeaderList& trailers, bool sendEnd) {
  relay.responseStreamDone(true);
  relay.responseEnded_ = true;
  // A response that ends before its request stops the rest of the request: the upstream
  // stream is reset (h2) or its connection dropped (HTTP/1, it cannot be reused).
  if (!relay.requestEnded_ && relay.upstream_) {
    if (relay.clientStreams_) relay.clientStreams_->local.reset.incr();
    relay.upstream_->reset({sdk::ResetCode::NoError, "the response ended before the request"});
  }
  relay.upstream_ = nullptr;
  relay.releaseUpstream(relay.requestEnded_);
  if (!relay.success_) {
    const sdk::HttpResponseHead* head = relay.headForTrailers_ ? &*relay.headForTrailers_ : nullptr;
    relay.success_ = relay.classifiedSuccess(head, trailers.empty() ? nullptr : &trailers);
  }
  if (sendEnd) relay.server_->endResponse(trailers);
  relay.finish(relay.status_, *relay.success_);
}

Relay::Relay(RelayOwner& owner, sdk::ServerExchange& exchange, RequestStats& serverStats, StreamStats* streams,
             bool clearContext)
    : serverStreams(streams),
      owner_(owner),
      server_(&exchange),
      serverStats_(serverStats),
      clearContext_(clearContext),
      head_(&exchange.request()),
      start_(events::eventTime()) {
  serverStats_.started();
  if (clearContext_) clearContextHeaders(head_->headers);
  exchange.setRequestBodyHandler(&requestSide_);
  // Nothing can take the body until an upstream exchange exists.
  exchange.pauseRequestBody(true);
}

Relay::~Relay() = default;

void Relay::fail(int status, const std::string& message) {
  if (finished_ || !server_) return;
  sdk::HttpResponseHead head;
  head.status = status;
  std::string body = clearContext_ ? std::string() : message + "\n";
  if (!clearContext_) head.headers.emplace_back("l5d-err", sdk::encodeErrorHeader(message));
  head.headers.emplace_back("content-type", "text/plain");
  head.headers.emplace_back("content-length", std::to_string(body.size()));
  status_ = status;
  server_->sendResponseHead(head, body.empty());
  if (!body.empty()) {
    server_->sendResponseBody(body);
    server_->endResponse({});
  }
  finish(status, false);
}

void Relay::requestStreamDone(bool ok, bool upstreamSide) {
  if (upstreamSide) {
    if (clientStreams_) clientStreams_->request.finished(ok, upstreamStart_);
  } else if (serverStreams) {
    serverStreams->request.finished(ok, start_);
  }
}

void Relay::responseStreamDone(bool ok) {
  if (!responseStarted_ || responseEnded_) return;
  if (clientStreams_) clientStreams_->response.finished(ok, responseStart_);
  if (serverStreams) serverStreams->response.finished(ok, responseStart_);
}

void Relay::refuse(const sdk::StreamReset& reset) {
  if (finished_ || !server_) return;
  if (serverStreams) serverStreams->local.reset.incr();
  server_->reset(reset);
  server_ = nullptr;
  finish(0, false);
}

bool Relay::classifiedSuccess(const sdk::HttpResponseHead* response, const sdk::HeaderList* trailers) const {
  return classifier_->classify(*head_, response, trailers) == sdk::ResponseClass::Success;
}

void Relay::forward(std::shared_ptr<EndpointPool> endpoint, Client& client, RequestStats* service,
                    const sdk::ResponseClassifier& classifier, std::chrono::milliseconds attempt,
                    std::chrono::milliseconds total) {
  endpoint_ = std::move(endpoint);
  client_ = &client;
  service_ = service;
  clientStreams_ = client.streamStats();
  classifier_ = &classifier;
  client_->stats().started();
  if (service_) service_->started();
  endpoint_->requestStarted();
  auto& loop = owner_.loop();
  if (attempt.count() > 0) {
    attemptTimer_ = loop.schedule(attempt, [this, attempt] { timedOut("requestAttemptTimeoutMs", attempt); });
  }
  if (total.count() > 0) {
    auto left = total - std::chrono::duration_cast<std::chrono::milliseconds>(events::eventTime() - start_);
    totalTimer_ = loop.schedule(std::max(left, std::chrono::milliseconds(0)),
                                [this, total] { timedOut("totalTimeoutMs", total); });
  }
  acquireConnection();
}

void Relay::acquireConnection() {
  if (auto* c = endpoint_->tryAcquireNow()) return onConnection(c, 0, "");
  if (!alive_) alive_ = std::make_shared<bool>(true);
  std::weak_ptr<bool> alive = alive_;
  std::shared_ptr<EndpointPool> pool = endpoint_;
  endpoint_->acquire([this, alive, pool](PooledConnection* c, int status, const std::string& error) {
    if (alive.expired()) {
      if (c) pool->release(c);  // the request went away while it waited
      return;
    }
    onConnection(c, status, error);
  });
}

void Relay::timedOut(const std::string& which, std::chrono::milliseconds limit) {
  if (finished_ || responseStarted_) return;  // a streaming response is not cut by a timeout
  if (upstream_) {
    if (clientStreams_) clientStreams_->local.reset.incr();
    upstream_->reset({sdk::ResetCode::Cancel, "timeout"});
    upstream_ = nullptr;
  }
  releaseUpstream(false);
  fail(503, "exceeded " + which + " of " + std::to_string(limit.count()) + " ms waiting for a response from " +
                endpoint_->text() + " (" + client_->id() + ")");
}

void Relay::onConnection(PooledConnection* connection, int status, const std::string& error) {
  if (finished_) {
    if (connection) endpoint_->release(connection);
    return;
  }
  if (!connection) {
    fail(status, error);
    return;
  }
  connection_ = connection;
  upstreamStart_ = events::eventTime();
  bool bodyDone = requestEnded_ && earlyBody_.empty();
  setEndpointAuthority(*head_, endpoint_->address());
  upstream_ = connection->codec->startRequest(*head_, bodyDone && requestTrailers_.empty(), responseSide_);
  if (!upstream_) {
    connection_->broken = true;
    releaseUpstream(false);
    fail(502, "connection to " + endpoint_->text() + " cannot take a request");
    return;
  }
  if (finished_ || !upstream_) return;
  if (!earlyBody_.empty()) {
    bodySent_ = true;
    if (clientStreams_) clientStreams_->requestBody(false, earlyBody_.size());
    std::string early = std::move(earlyBody_);
    earlyBody_.clear();
    upstream_->sendRequestBody(early);
  }
  if (requestEnded_ && upstream_ && !(bodyDone && requestTrailers_.empty())) {
    if (!requestTrailers_.empty() && clientStreams_) clientStreams_->local.trailers.incr();
    upstream_->endRequest(requestTrailers_);
  }
  // A request that ended before its upstream exchange began ends there now (counted once,
  // not again for a refused stream's retry).
  if (requestEnded_ && upstream_ && refusals_ == 0) requestStreamDone(true, true);
  if (server_ && !requestEnded_) server_->pauseRequestBody(false);
}

void Relay::releaseUpstream(bool reusable) {
  if (!connection_) return;
  PooledConnection* c = connection_;
  connection_ = nullptr;
  endpoint_->release(c, reusable);
}

void Relay::finish(int status, bool success) {
  if (finished_) return;
  finished_ = true;
  attemptTimer_.reset();
  totalTimer_.reset();
  if (upstream_) {
    if (clientStreams_) clientStreams_->local.reset.incr();
    upstream_->reset({sdk::ResetCode::Cancel, "abandoned"});
    upstream_ = nullptr;
  }
  releaseUpstream(false);
  auto latency = events::eventTime() - start_;
  serverStats_.finished(status, success, latency);
  if (serverStreams || clientStreams_) {
    auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(latency).count());
    if (serverStreams) serverStreams->totalLatencyMs.record(ms);
    if (clientStreams_) clientStreams_->totalLatencyMs.record(ms);
  }
  if (service_) service_->finished(status, success, latency);
  if (client_) {
    client_->stats().finished(status, success, latency);
    if (endpoint_) endpoint_->requestFinished(latency);
  }
  if (auto done = std::move(onFinish)) done();
  owner_.relayFinished(this);
}

}  // namespace ferry::core::router
