// The io.l5d.path factory (plugins/identifier/path): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(PathIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.path", "segments: 2\nconsume: true"), "");
}

TEST(PathIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.path", "segments: -1"), "block.yaml:1:1: segments must be at least 1");
}

}  // namespace
