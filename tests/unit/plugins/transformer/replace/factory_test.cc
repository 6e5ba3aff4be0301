// The io.l5d.replace factory (plugins/transformer/replace): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(ReplaceTransformerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.replace", "path: /$/inet/127.0.0.1/4141"), "");
}

TEST(ReplaceTransformerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.replace", "{}"), "block.yaml:1:1: missing required key 'path'");
}

}  // namespace
