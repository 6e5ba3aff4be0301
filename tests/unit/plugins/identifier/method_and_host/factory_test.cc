// The io.l5d.methodAndHost factory (plugins/identifier/method_and_host): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(MethodAndHostIdentifierFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.methodAndHost", "httpUriInDst: true"), "");
}

TEST(MethodAndHostIdentifierFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("identifier", "io.l5d.methodAndHost", "httpUriInDst: sometimes"), "block.yaml:1:15: expected true or false, got 'sometimes'");
}

}  // namespace
