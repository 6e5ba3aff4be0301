// The io.l5d.header.path factory (plugins/identifier/header_path): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HeaderPathIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header.path", "header: x-path\nsegments: 2"), "");
}

TEST(HeaderPathIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header.path", "segments: many"), "block.yaml:1:11: expected an integer, got 'many'");
}

}  // namespace
