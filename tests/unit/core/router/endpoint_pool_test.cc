// EndpointPool against a real loopback server: reuse of the most recent idle connection, the
// pool's limits (maxSize busy, maxWaiters waiting, then 503 with the reason), connect failures
// and the endpoint's availability after them, idle expiry down to minSize, a connection the
// peer closed, and shutdown answering whoever still waits.

#include "core/router/endpoint_pool.h"

#include <gtest/gtest.h>

#include "tests/unit/core/loop_testing.h"
#include "tests/unit/core/router/pool_testing.h"

namespace ferry::core::router {
namespace {

using core::testing::loopbackAddress;
using core::testing::LoopbackServer;
using core::testing::RefusingPort;
using core::testing::runReady;
using core::testing::runUntil;
using core::testing::SteeredProtocol;

/** What one acquire() got. */
struct Outcome {
  bool called = false;
  PooledConnection* connection = nullptr;
  int status = -1;
  std::string error;
  EndpointPool::Ready callback() {
    return [this](PooledConnection* c, int s, const std::string& e) {
      called = true;
      connection = c;
      status = s;
      error = e;
    };
  }
};

class EndpointPoolTest : public ::testing::Test {
 protected:
  std::shared_ptr<EndpointPool> makePool(PoolSettings settings = {}, uint16_t port = 0) {
    return std::make_shared<EndpointPool>(loopbackAddress(port ? port : server.port()), loop, protocol,
                                          settings);
  }
  PooledConnection* connected(EndpointPool& pool) {
    Outcome o;
    pool.acquire(o.callback());
    EXPECT_TRUE(runUntil(loop, [&] { return o.called; }));
    EXPECT_EQ(o.status, 0) << o.error;
    return o.connection;
  }

  events::EventLoop loop;
  LoopbackServer server{loop};
  SteeredProtocol protocol;
};

TEST_F(EndpointPoolTest, ReusesTheMostRecentlyReleasedConnection) {
  auto pool = makePool();
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);  // nothing open yet: acquire() connects
  auto* a = connected(*pool);
  auto* b = connected(*pool);  // a is busy: a second connection
  ASSERT_NE(a, b);
  EXPECT_EQ(a->activeExchanges, 1u);
  pool->release(a);
  pool->release(b);
  EXPECT_EQ(pool->tryAcquireNow(), b);  // last released, first reused: its state is warm
  EXPECT_EQ(pool->tryAcquireNow(), a);
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 2; }));
  EXPECT_EQ(server.peers().size(), 2u);  // two connects in all
  pool->release(a);
  pool->release(b);
}

TEST_F(EndpointPoolTest, AnIncompleteOrNonReusableExchangeClosesItsConnection) {
  auto pool = makePool();
  auto* a = connected(*pool);
  pool->release(a, /*complete=*/false);  // HTTP/1: a reset or abandoned exchange breaks the connection
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 1 && server.peers()[0]->eof; }));
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);

  auto* b = connected(*pool);
  protocol.codecs.back()->reuse = false;  // e.g. the response said Connection: close
  pool->release(b);
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 2 && server.peers()[1]->eof; }));
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);
}

TEST_F(EndpointPoolTest, WaitersQueueUpToTheLimitThenTheRestGetA503) {
  PoolSettings settings;
  settings.maxSize = 1;
  settings.maxWaiters = 1;
  auto pool = makePool(settings);
  auto* a = connected(*pool);
  Outcome waiting, refused;
  pool->acquire(waiting.callback());
  pool->acquire(refused.callback());
  EXPECT_FALSE(waiting.called);
  ASSERT_TRUE(refused.called);
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.error, "connection pool to 127.0.0.1:" + std::to_string(server.port()) +
                               " is exhausted: 1 connections busy and 1 requests waiting");
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);  // a waiter is first in line

  pool->release(a);
  EXPECT_FALSE(waiting.called);  // handed over on the next turn, not inside release()
  ASSERT_TRUE(runUntil(loop, [&] { return waiting.called; }));
  EXPECT_EQ(waiting.connection, a);
  EXPECT_EQ(server.peers().size(), 1u);
  pool->release(a);
}

TEST_F(EndpointPoolTest, MultiplexedRequestsShareOneConnectionAndWaitForItsConnect) {
  SteeredProtocol h2like(/*multiplexed=*/true);
  auto pool = std::make_shared<EndpointPool>(loopbackAddress(server.port()), loop, h2like, PoolSettings{});
  Outcome first, second;
  pool->acquire(first.callback());
  pool->acquire(second.callback());  // the connect is under way: wait for it rather than open another
  ASSERT_TRUE(runUntil(loop, [&] { return first.called && second.called; }));
  EXPECT_EQ(first.connection, second.connection);
  EXPECT_EQ(first.connection->activeExchanges, 2u);
  EXPECT_EQ(pool->tryAcquireNow(), first.connection);  // below the stream limit: shared at once
  for (int i = 0; i < 3; ++i) pool->release(first.connection);
  runReady(loop);
  EXPECT_EQ(h2like.codecs.size(), 1u);
}

TEST_F(EndpointPoolTest, ARefusedConnectAnswers502AndThreeInARowMakeTheEndpointUnavailable) {
  RefusingPort refusing;
  auto pool = makePool({}, refusing.port());
  EXPECT_TRUE(pool->available());
  for (int i = 0; i < 3; ++i) {
    Outcome o;
    pool->acquire(o.callback());
    ASSERT_TRUE(runUntil(loop, [&] { return o.called; }));
    EXPECT_EQ(o.status, 502);
    EXPECT_EQ(o.error, "connection to 127.0.0.1:" + std::to_string(refusing.port()) + " failed: Connection refused");
    EXPECT_FALSE(pool->healthy());
  }
  EXPECT_FALSE(pool->available());  // balancers skip it until its retry time (500 ms) comes
  EXPECT_TRUE(runUntil(loop, [&] { return pool->available(); }));
}

TEST_F(EndpointPoolTest, AConnectThatHangsTimesOut) {
  // A listener whose accept queue is full: the kernel drops further SYNs, so connect() hangs.
  boost::asio::ip::tcp::acceptor full(loop.io());
  full.open(boost::asio::ip::tcp::v4());
  full.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
  full.listen(0);
  uint16_t port = full.local_endpoint().port();
  PoolSettings settings;
  settings.connectTimeout = std::chrono::milliseconds(100);
  auto pool = makePool(settings, port);
  // Linux queues one connection on a zero backlog and drops SYNs beyond it.
  boost::asio::ip::tcp::socket filler(loop.io());
  filler.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  Outcome o;
  pool->acquire(o.callback());
  ASSERT_TRUE(runUntil(loop, [&] { return o.called; }));
  EXPECT_EQ(o.status, 502);
  EXPECT_EQ(o.error, "connection to 127.0.0.1:" + std::to_string(port) + " timed out after 100 ms");
}

TEST_F(EndpointPoolTest, IdleConnectionsExpireDownToMinSize) {
  PoolSettings settings;
  settings.minSize = 1;
  settings.idleTime = std::chrono::milliseconds(20);
  auto pool = makePool(settings);
  auto* a = connected(*pool);
  auto* b = connected(*pool);
  auto* c = connected(*pool);
  pool->release(a);
  pool->release(b);
  pool->release(c);
  ASSERT_TRUE(runUntil(loop, [&] {
    std::size_t closed = 0;
    for (auto& p : server.peers()) closed += p->eof;
    return closed == 2;
  }));
  // One stays (minSize) and is reused.
  auto* kept = pool->tryAcquireNow();
  ASSERT_NE(kept, nullptr);
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);
  pool->release(kept);
}

TEST_F(EndpointPoolTest, AConnectionThePeerClosedIsNotReused) {
  auto pool = makePool();
  auto* a = connected(*pool);
  pool->release(a);
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 1; }));
  server.close(0);
  ASSERT_TRUE(runUntil(loop, [&] { return protocol.destroyed() == 1; }));  // discarded, its codec freed
  EXPECT_EQ(pool->tryAcquireNow(), nullptr);
  auto* b = connected(*pool);  // a new one
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 2; }));
  pool->release(b);
}

TEST_F(EndpointPoolTest, ShutdownAnswersWaitersAndClosesIdleConnections) {
  PoolSettings settings;
  settings.maxSize = 1;
  auto pool = makePool(settings);
  auto* a = connected(*pool);
  Outcome waiting;
  pool->acquire(waiting.callback());
  pool->shutdown();
  ASSERT_TRUE(waiting.called);
  EXPECT_EQ(waiting.status, 502);
  EXPECT_EQ(waiting.error, "endpoint 127.0.0.1:" + std::to_string(server.port()) + " was removed");
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 1; }));
  runReady(loop);
  EXPECT_FALSE(server.peers()[0]->eof);  // busy: it finishes its exchange
  pool->release(a);                      // then it is closed, not kept
  ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 1 && server.peers()[0]->eof; }));
}

TEST(EndpointLoad, PeakEwmaJumpsUpAndDecaysDown) {
  events::EventLoop loop;
  SteeredProtocol protocol;
  EndpointPool pool(loopbackAddress(1), loop, protocol, PoolSettings{});
  pool.requestStarted();
  pool.requestStarted();
  EXPECT_EQ(pool.outstanding(), 2u);
  pool.requestFinished(std::chrono::milliseconds(10));
  EXPECT_DOUBLE_EQ(pool.latencyEwmaMs(), 10.0);  // a slower sample is taken at once
  pool.requestFinished(std::chrono::milliseconds(0));
  EXPECT_DOUBLE_EQ(pool.latencyEwmaMs(), 9.0);  // a faster one only moves it by a tenth
  EXPECT_EQ(pool.outstanding(), 0u);
  pool.requestFinished(std::chrono::milliseconds(0));
  EXPECT_EQ(pool.outstanding(), 0u);  // never below zero
}

}  // namespace
}  // namespace ferry::core::router
