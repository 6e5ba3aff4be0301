// The heap factory (plugins/load_balancer/heap): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HeapFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "heap", "{}"), "");
}

TEST(HeapFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "heap", "maxEffort: 3"), "block.yaml:1:1: unknown key 'maxEffort'");
}

}  // namespace
