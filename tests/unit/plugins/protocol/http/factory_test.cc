// The http factory (plugins/protocol/http): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(HttpProtocolFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("protocol", "http", "maxHeadersKB: 16\nservers: [{maxCallDepth: 5, headerReadTimeoutMs: 500, serverSession: {idleTimeMs: 1000, lifeTimeMs: 60000}}]"), "");
}

TEST(HttpProtocolFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("protocol", "http", "servers: [{headerReadTimeoutMs: -1, serverSession: {idleTimeMs: 0}}]"), "block.yaml:1:11: headerReadTimeoutMs must be 0 (none) or more\nblock.yaml:1:52: serverSession.idleTimeMs must be positive");
}

}  // namespace
