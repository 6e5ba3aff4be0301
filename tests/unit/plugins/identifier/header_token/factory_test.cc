// The io.l5d.header.token factory (plugins/identifier/header_token): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HeaderTokenIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header.token", "header: Host"), "");
}

TEST(HeaderTokenIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.header.token", "header: {a: 1}"), "block.yaml:1:9: expected a string, got a map");
}

}  // namespace
