// Relay, run by a test owner (RelayOwner, as the worker does): a request forwarded to a pooled
// connection over a real socket and its response relayed back; Ferry's own errors (refused
// connect, upstream reset, attempt timeout) answered with l5d-err; a client reset passed on
// upstream; a request body that arrives before the connection; a response that ends before its
// request; REFUSED_STREAM started again on a multiplexed connection. Metrics are read back from
// the stats store under Linkerd's names.

#include "core/router/relay.h"

#include <gtest/gtest.h>

#include <optional>

#include "core/stats/stats_store.h"
#include "tests/unit/core/loop_testing.h"
#include "tests/unit/core/router/pool_testing.h"

namespace ferry::core::router {
namespace {

using core::testing::FirstAvailable;
using core::testing::loopbackAddress;
using core::testing::LoopbackServer;
using core::testing::RefusingPort;
using core::testing::runUntil;
using core::testing::SteeredExchange;
using core::testing::SteeredProtocol;

/** The downstream side: what the client of this request would see. */
struct RecordingExchange final : sdk::ServerExchange {
  sdk::HttpRequestHead head;
  sdk::BodyHandler* body = nullptr;
  bool requestPaused = false;
  std::optional<sdk::HttpResponseHead> response;
  bool responseEnded = false;
  std::string responseBody;
  std::optional<sdk::StreamReset> reset_;

  sdk::HttpRequestHead& request() override { return head; }
  void setRequestBodyHandler(sdk::BodyHandler* handler) override { body = handler; }
  void pauseRequestBody(bool paused) override { requestPaused = paused; }
  void sendResponseHead(const sdk::HttpResponseHead& h, bool endOfMessage) override {
    response = h;
    responseEnded = endOfMessage;
  }
  bool sendResponseBody(std::string_view chunk) override {
    responseBody.append(chunk);
    return true;
  }
  void endResponse(const sdk::HeaderList&) override { responseEnded = true; }
  void reset(const sdk::StreamReset& r) override { reset_ = r; }
  std::string peerAddress() const override { return "127.0.0.1:5000"; }
  std::string header(std::string_view name) const {
    auto v = sdk::findHeader(response->headers, name);
    return v ? std::string(*v) : std::string();
  }
};

struct Classifier5xx final : sdk::ResponseClassifier {
  sdk::ResponseClass classify(const sdk::HttpRequestHead&, const sdk::HttpResponseHead* r,
                              const sdk::HeaderList*) const override {
    return r && r->status < 500 ? sdk::ResponseClass::Success : sdk::ResponseClass::Failure;
  }
};

class RelayTest : public ::testing::Test, public RelayOwner {
 protected:
  // RelayOwner
  events::EventLoop& loop() override { return loop_; }
  void relayFinished(Relay* relay) override { finished.push_back(relay); }

  void SetUp() override {
    exchange.head.method = "GET";
    exchange.head.target = "/hello";
    exchange.head.host = "web";
  }

  /** A relay for `exchange`, forwarded to `port` through a client of `protocol`. */
  Relay& forward(uint16_t port, sdk::Protocol& protocol, std::chrono::milliseconds attempt = {}) {
    client = std::make_unique<Client>("/#/io.l5d.fs/web", loop_, protocol, balancer, 1, store, "http", PoolSettings{},
                                      attempt);
    client->update({loopbackAddress(port)});
    relay = std::make_unique<Relay>(*this, exchange, serverStats, nullptr, false);
    relay->forward(client->pick(), *client, nullptr, classifier, attempt, std::chrono::milliseconds(0));
    return *relay;
  }
  /** The request the upstream codec started, once it has. */
  SteeredExchange& upstream(SteeredProtocol& protocol) {
    EXPECT_TRUE(runUntil(loop_, [&] { return !protocol.codecs.empty() && !protocol.codecs.back()->exchanges.empty(); }));
    return *protocol.codecs.back()->exchanges.back();
  }
  double counter(const std::string& name) {
    double value = -1;
    store.forEach([&](const sdk::MetricSample& m) {
      if (m.name == name) value = m.type == sdk::MetricSample::Type::Histogram ? double(m.count) : m.value;
    });
    return value;
  }

  events::EventLoop loop_;
  LoopbackServer server{loop_};
  SteeredProtocol http1;
  FirstAvailable balancer;
  Classifier5xx classifier;
  stats::StatsStore store{1};
  RequestStats serverStats{store, "rt/http/server/127.0.0.1/4140"};
  RecordingExchange exchange;
  std::unique_ptr<Client> client;
  std::unique_ptr<Relay> relay;
  std::vector<Relay*> finished;
};

TEST_F(RelayTest, ForwardsTheRequestAndRelaysTheResponse) {
  forward(server.port(), http1);
  EXPECT_TRUE(exchange.requestPaused);  // nothing takes the body before the upstream exchange exists
  exchange.body->onEnd({});
  auto& up = upstream(http1);
  EXPECT_TRUE(up.requestEnded);
  ASSERT_TRUE(runUntil(loop_, [&] { return server.peers().size() == 1 && server.peers()[0]->received == "/hello\n"; }));
  up.respond(200, "hi", {{"x-upstream", "1"}});
  ASSERT_TRUE(exchange.response);
  EXPECT_EQ(exchange.response->status, 200);
  EXPECT_EQ(exchange.header("x-upstream"), "1");
  EXPECT_EQ(exchange.responseBody, "hi");
  EXPECT_TRUE(exchange.responseEnded);
  EXPECT_EQ(finished, std::vector<Relay*>{relay.get()});

  EXPECT_EQ(counter("rt/http/server/127.0.0.1/4140/requests"), 1);
  EXPECT_EQ(counter("rt/http/server/127.0.0.1/4140/success"), 1);
  EXPECT_EQ(counter("rt/http/client/#/io.l5d.fs/web/status/200"), 1);
  EXPECT_EQ(counter("rt/http/client/#/io.l5d.fs/web/request_latency_ms"), 1);
  EXPECT_EQ(client->pick()->outstanding(), 0u);
  EXPECT_NE(client->pick()->tryAcquireNow(), nullptr);  // the connection went back to the pool
}

TEST_F(RelayTest, ARefusedConnectAnswers502WithL5dErr) {
  RefusingPort refusing;
  forward(refusing.port(), http1);
  exchange.body->onEnd({});
  ASSERT_TRUE(runUntil(loop_, [&] { return !finished.empty(); }));
  ASSERT_TRUE(exchange.response);
  EXPECT_EQ(exchange.response->status, 502);
  std::string message = "connection to 127.0.0.1:" + std::to_string(refusing.port()) + " failed: Connection refused";
  EXPECT_EQ(exchange.header("l5d-err"), sdk::encodeErrorHeader(message));
  EXPECT_EQ(exchange.responseBody, message + "\n");
  EXPECT_EQ(counter("rt/http/server/127.0.0.1/4140/failures"), 1);
  EXPECT_EQ(counter("rt/http/client/#/io.l5d.fs/web/status/502"), 1);
}

TEST_F(RelayTest, AnUpstreamResetBeforeTheResponseAnswers502) {
  forward(server.port(), http1);
  exchange.body->onEnd({});
  upstream(http1).resetFromUpstream(sdk::ResetCode::Cancel, "connection closed by the upstream");
  ASSERT_TRUE(exchange.response);
  EXPECT_EQ(exchange.response->status, 502);
  EXPECT_EQ(exchange.responseBody, "connection to 127.0.0.1:" + std::to_string(server.port()) +
                                       " (/#/io.l5d.fs/web) failed: connection closed by the upstream\n");
  EXPECT_EQ(finished.size(), 1u);
  // A broken exchange is not put back: the next request gets a fresh connection.
  EXPECT_EQ(client->pick()->tryAcquireNow(), nullptr);
}

TEST_F(RelayTest, AResetMidResponseReachesTheClientAsAReset) {
  forward(server.port(), http1);
  exchange.body->onEnd({});
  auto& up = upstream(http1);
  sdk::HttpResponseHead head;
  head.status = 200;
  up.handler->onResponseHead(head, false);
  up.handler->onBody("part");
  up.resetFromUpstream(sdk::ResetCode::InternalError, "upstream went away");
  ASSERT_TRUE(exchange.reset_);
  EXPECT_EQ(exchange.reset_->code, sdk::ResetCode::InternalError);
  EXPECT_EQ(exchange.responseBody, "part");
  EXPECT_EQ(finished.size(), 1u);
}

TEST_F(RelayTest, AnAttemptTimeoutAnswers503AndCancelsTheUpstreamExchange) {
  forward(server.port(), http1, std::chrono::milliseconds(30));
  exchange.body->onEnd({});
  auto& up = upstream(http1);
  ASSERT_TRUE(runUntil(loop_, [&] { return !finished.empty(); }));
  EXPECT_TRUE(up.resetByCaller);
  EXPECT_EQ(up.resetCode, sdk::ResetCode::Cancel);
  ASSERT_TRUE(exchange.response);
  EXPECT_EQ(exchange.response->status, 503);
  EXPECT_EQ(exchange.responseBody, "exceeded requestAttemptTimeoutMs of 30 ms waiting for a response from 127.0.0.1:" +
                                       std::to_string(server.port()) + " (/#/io.l5d.fs/web)\n");
  // The HTTP/1 connection, with a request in flight on it, cannot be reused: it is closed.
  ASSERT_TRUE(runUntil(loop_, [&] { return server.peers().size() == 1 && server.peers()[0]->eof; }));
}

TEST_F(RelayTest, AClientResetIsPassedUpstreamWithItsCode) {
  forward(server.port(), http1);
  auto& up = upstream(http1);
  exchange.body->onReset({sdk::ResetCode::Cancel, "client went away"});
  EXPECT_TRUE(up.resetByCaller);
  EXPECT_EQ(up.resetCode, sdk::ResetCode::Cancel);
  EXPECT_FALSE(exchange.response);
  EXPECT_EQ(finished.size(), 1u);
}

TEST_F(RelayTest, BodyBeforeTheConnectionIsSentOnceItIsOpen) {
  exchange.head.method = "POST";
  forward(server.port(), http1);
  exchange.body->onBody("early ");
  exchange.body->onBody("bytes");
  exchange.body->onEnd({{"x-trailer", "t"}});
  auto& up = upstream(http1);
  EXPECT_EQ(up.body, "early bytes");
  EXPECT_TRUE(up.requestEnded);
  EXPECT_EQ(up.requestTrailers, (sdk::HeaderList{{"x-trailer", "t"}}));
  up.respond(204);
  EXPECT_EQ(exchange.response->status, 204);
  EXPECT_EQ(finished.size(), 1u);
}

TEST_F(RelayTest, AResponseBeforeTheRequestEndedStopsTheRequestAndDropsTheConnection) {
  exchange.head.method = "POST";
  forward(server.port(), http1);
  auto& up = upstream(http1);
  EXPECT_FALSE(exchange.requestPaused);  // the upstream exchange exists: the body may flow
  exchange.body->onBody("some of the upload");
  up.respond(413, "too large");
  EXPECT_EQ(exchange.response->status, 413);
  EXPECT_TRUE(up.resetByCaller);
  EXPECT_EQ(up.resetCode, sdk::ResetCode::NoError);
  EXPECT_EQ(counter("rt/http/server/127.0.0.1/4140/success"), 1);  // a 4XX is the upstream's answer
  ASSERT_TRUE(runUntil(loop_, [&] { return server.peers().size() == 1 && server.peers()[0]->eof; }));
}

TEST_F(RelayTest, RefusedStreamsAreStartedAgainThenAnswered502) {
  SteeredProtocol h2like(/*multiplexed=*/true);
  forward(server.port(), h2like);
  exchange.body->onEnd({});
  for (int attempt = 1; attempt <= 3; ++attempt) {
    ASSERT_TRUE(runUntil(loop_, [&] { return !h2like.codecs.empty() && h2like.codecs[0]->exchanges.size() == std::size_t(attempt); }))
        << "attempt " << attempt;
    h2like.codecs[0]->exchanges.back()->resetFromUpstream(sdk::ResetCode::RefusedStream, "refused");
  }
  ASSERT_TRUE(exchange.response);
  EXPECT_EQ(exchange.response->status, 502);
  EXPECT_EQ(h2like.codecs.size(), 1u);  // every try on the same multiplexed connection
  EXPECT_EQ(finished.size(), 1u);
  relay.reset();  // the relay and the client hold pools that use h2like, which dies first
  client.reset();
}

TEST_F(RelayTest, FailAnswersWithoutAnUpstream) {
  relay = std::make_unique<Relay>(*this, exchange, serverStats, nullptr, false);
  relay->fail(400, "no identifier could name the request");
  EXPECT_EQ(exchange.response->status, 400);
  EXPECT_EQ(exchange.header("content-type"), "text/plain");
  EXPECT_EQ(exchange.header("content-length"), std::to_string(exchange.responseBody.size()));
  EXPECT_EQ(finished.size(), 1u);
  relay->fail(500, "twice");  // a finished relay answers nothing more
  EXPECT_EQ(exchange.response->status, 400);
}

}  // namespace
}  // namespace ferry::core::router
