// The io.l5d.header factory (plugins/identifier/header): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HeaderIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header", "header: my-header"), "");
}

TEST(HeaderIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header", "header: [a, b]"), "block.yaml:1:9: expected a string, got a list");
}

}  // namespace
