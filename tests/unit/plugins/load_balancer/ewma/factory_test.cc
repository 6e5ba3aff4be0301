// The ewma factory (plugins/load_balancer/ewma): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(EwmaFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "ewma", "maxEffort: 3\ndecayTimeMs: 5000"), "");
}

TEST(EwmaFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "ewma", "decayTimeMs: 0"), "block.yaml:1:1: maxEffort and decayTimeMs must be positive");
}

}  // namespace
