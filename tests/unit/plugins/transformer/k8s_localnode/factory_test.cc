// The io.l5d.k8s.localnode factory (plugins/transformer/k8s_localnode): a block it accepts, one
// it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(LocalNodeTransformerFactoryTest, AcceptsItsKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.localnode", "hostNetwork: true"), "");
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.localnode", "{}"), "");
}

TEST(LocalNodeTransformerFactoryTest, RefusesABadBlockWithAMessage) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.localnode", "hostNetwork: maybe"),
            "block.yaml:1:14: expected true or false, got 'maybe'");
}

}  // namespace
