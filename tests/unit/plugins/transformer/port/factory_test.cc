// The io.l5d.port factory (plugins/transformer/port): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(PortTransformerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.port", "port: 4141"), "");
}

TEST(PortTransformerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.port", "port: 70000"), "block.yaml:1:1: port must be 1-65535");
}

}  // namespace
