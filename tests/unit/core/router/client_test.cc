// Client: endpoint sets replaced while pools of endpoints that stay are kept, probation keeping a
// removed endpoint while it is healthy, and the metrics scope Linkerd names clients by.

#include "core/router/client.h"

#include <gtest/gtest.h>

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
using core::testing::SteeredProtocol;

class ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<Client> makeClient(bool probation = false) {
    return std::make_unique<Client>("/#/io.l5d.fs/web", loop, protocol, balancer, 1, store, "http", PoolSettings{},
                                    std::chrono::milliseconds(0), probation);
  }
  sdk::Address at(uint16_t port) { return loopbackAddress(port); }

  events::EventLoop loop;
  SteeredProtocol protocol;
  FirstAvailable balancer;
  stats::StatsStore store{1};
};

TEST_F(ClientTest, AnEmptySetPicksNothing) {
  auto client = makeClient();
  EXPECT_TRUE(client->empty());
  EXPECT_EQ(client->pick(), nullptr);
  client->update({});
  EXPECT_EQ(client->pick(), nullptr);
}

TEST_F(ClientTest, PoolsOfEndpointsThatStayAreKept) {
  auto client = makeClient();
  client->update({at(1001), at(1002)});
  auto first = client->pick();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->address().port, 1001);

  client->update({at(1002), at(1001), at(1003)});  // same endpoints, another order, one more
  EXPECT_EQ(client->pick(), first);                // the same pool, its connections with it
  client->update({at(1002), at(1003)});  // the picked one left
  auto second = client->pick();
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->address().port, 1002);
  EXPECT_EQ(balancer.sets, (std::vector<std::size_t>{2, 3, 2}));

  client->update({at(1002), at(1003)});  // an unchanged set rebuilds nothing
  EXPECT_EQ(balancer.sets.size(), 3u);
}

TEST_F(ClientTest, DuplicateAddressesCountOnce) {
  auto client = makeClient();
  client->update({at(1001), at(1001)});
  EXPECT_EQ(balancer.sets, (std::vector<std::size_t>{1}));
}

TEST_F(ClientTest, ARemovedEndpointStaysOnProbationUntilAConnectToItFails) {
  RefusingPort gone;
  LoopbackServer staying(loop);
  auto client = makeClient(/*probation=*/true);
  balancer.prefer = gone.port();
  client->update({at(gone.port()), at(staying.port())});
  client->update({at(staying.port())});  // the namer dropped it; it has not failed yet
  auto kept = client->pick();
  ASSERT_NE(kept, nullptr);
  ASSERT_EQ(kept->address().port, gone.port());  // still in the set
  EXPECT_EQ(balancer.sets.back(), 2u);

  bool called = false;
  kept->acquire([&](PooledConnection*, int status, const std::string&) {
    called = true;
    EXPECT_EQ(status, 502);
  });
  ASSERT_TRUE(runUntil(loop, [&] { return called; }));
  auto next = client->pick();  // unhealthy now: evicted before picking
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->address().port, staying.port());
  EXPECT_EQ(balancer.sets.back(), 1u);
}

TEST_F(ClientTest, WithoutProbationARemovedEndpointGoesAtOnce) {
  auto client = makeClient();
  client->update({at(1001), at(1002)});
  client->update({at(1002)});
  auto only = client->pick();
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->address().port, 1002);
}

TEST_F(ClientTest, MetricsLiveUnderTheClientsLinkerdScope) {
  auto client = makeClient();
  EXPECT_EQ(client->stats().prefix(), "rt/http/client/#/io.l5d.fs/web");
  EXPECT_EQ(client->streamStats(), nullptr);  // h2 stream metrics only for multiplexed protocols
  EXPECT_EQ(client->id(), "/#/io.l5d.fs/web");
}

}  // namespace
}  // namespace ferry::core::router
