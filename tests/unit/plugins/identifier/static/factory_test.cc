// The io.l5d.static factory (plugins/identifier/static): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(StaticIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.static", "path: /web"), "");
}

TEST(StaticIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.static", "{}"), "block.yaml:1:1: missing required key 'path'");
}

}  // namespace
