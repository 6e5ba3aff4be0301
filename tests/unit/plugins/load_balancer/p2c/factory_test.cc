// The p2c factory (plugins/load_balancer/p2c): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(P2cFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "p2c", "maxEffort: 3"), "");
}

TEST(P2cFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "p2c", "maxEffort: 0"), "block.yaml:1:1: maxEffort must be between 1 and 1000");
}

}  // namespace
