// The aperture factory (plugins/load_balancer/aperture): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(ApertureFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "aperture", "smoothWindowMs: 1000\nlowLoad: 0.5\nhighLoad: 2.0\nminAperture: 2"), "");
}

TEST(ApertureFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("load_balancer", "aperture", "lowLoad: 3\nhighLoad: 2"), "block.yaml:1:1: aperture needs maxEffort, smoothWindowMs and minAperture >= 1 and 0 <= lowLoad < highLoad");
}

}  // namespace
