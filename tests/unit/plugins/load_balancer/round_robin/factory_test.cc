// The roundRobin factory (plugins/load_balancer/round_robin): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(RoundRobinFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "roundRobin", "maxEffort: 3"), "");
}

TEST(RoundRobinFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "roundRobin", "maxEffort: lots"), "block.yaml:1:12: expected an integer, got 'lots'");
}

}  // namespace
