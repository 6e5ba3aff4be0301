// The io.l5d.k8s.daemonset factory (plugins/transformer/k8s_daemonset): a block it accepts,
// blocks it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(DaemonSetTransformerFactoryTest, AcceptsLinkerdsKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.daemonset",
                                    "namespace: linkerd\nservice: l5d\nport: incoming\nk8sHost: 127.0.0.1\n"
                                    "k8sPort: 8001\nhostNetwork: true"),
            "");
}

TEST(DaemonSetTransformerFactoryTest, RefusesMissingKeys) {
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.daemonset", "namespace: linkerd\nport: incoming"),
            "block.yaml:1:1: missing required key 'service'");
  EXPECT_EQ(ferry::testing::verdict("transformer", "io.l5d.k8s.daemonset",
                                    "namespace: linkerd\nservice: l5d\nport: incoming\nk8sPort: 0"),
            "block.yaml:4:10: k8sPort must be 1-65535, got 0");
}

}  // namespace
