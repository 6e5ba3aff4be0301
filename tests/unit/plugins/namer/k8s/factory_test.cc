// The io.l5d.k8s, io.l5d.k8s.ns and io.l5d.k8s.external factories (plugins/namer/k8s): blocks
// they accept, blocks they refuse.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(K8sNamerFactoryTest, AcceptsLinkerdsKeys) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "{}"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "host: 127.0.0.1\nport: 8001\nlabelSelector: version"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s.ns", "envVar: MY_NAMESPACE\nport: 8001"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s.external", "host: localhost"), "");
}

TEST(K8sNamerFactoryTest, AcceptsFerrysKeysForTheApiServerDirectly) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "inCluster: true\nserviceAccountDir: /sa"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s",
                                    "host: api.example\nport: 6443\ntls: {commonName: api.example, trustCerts: [/ca]}\n"
                                    "authTokenFile: /token"),
            "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "inCluster: sometimes"),
            "block.yaml:1:12: expected true or false, got 'sometimes'");
}

TEST(K8sNamerFactoryTest, RefusesBadValuesWithTheirPlace) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "port: 99999"),
            "block.yaml:1:7: port must be 1-65535, got 99999");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "labelSelector: version=v1"),
            "block.yaml:1:16: labelSelector is a label name (its value is the segment after the service in each "
            "name), got 'version=v1'");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.k8s", "envVar: X"), "block.yaml:1:1: unknown key 'envVar'");
}

}  // namespace
