// The com.example.staticNamer factory (plugins/example/static_namer): a block it accepts, one it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(StaticNamerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("namer", "com.example.staticNamer", "services: {web: \"127.0.0.1:8080\"}"), "");
}

TEST(StaticNamerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("namer", "com.example.staticNamer", "services: {web: nowhere}"), "block.yaml:1:17: expected host:port, got 'nowhere'");
}

}  // namespace
