// The io.l5d.localhost factory (plugins/transformer/localhost): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(LocalhostTransformerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.localhost", "{}"), "");
}

TEST(LocalhostTransformerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.localhost", "host: 127.0.0.1"), "block.yaml:1:1: unknown key 'host'");
}

}  // namespace
