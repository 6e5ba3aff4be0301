// The h2 factory (plugins/protocol/h2): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(H2ProtocolFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("protocol", "h2", "pingIntervalMs: 1000\nservers: [{maxConcurrentStreamsPerConnection: 10, headerReadTimeoutMs: 500, serverSession: {idleTimeMs: 1000}}]"), "");
}

TEST(H2ProtocolFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("protocol", "h2", "servers: [{initialStreamWindowBytes: 0}]"), "block.yaml:1:11: initialStreamWindowBytes must be between 1 and 2147483647");
}

}  // namespace
