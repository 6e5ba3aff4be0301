// The io.l5d.fs factory (plugins/namer/fs): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(FsNamerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.fs", "rootDir: /"), "");
}

TEST(FsNamerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.fs", "{}"), "block.yaml:1:1: missing required key 'rootDir'");
}

}  // namespace
