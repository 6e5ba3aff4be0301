// The io.l5d.consul factory (plugins/namer/consul): blocks it accepts, blocks it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(ConsulNamerFactoryTest, AcceptsLinkerdsKeys) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "{}"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul",
                                    "host: consul.local\nport: 8600\ntoken: t\nincludeTag: true\nuseHealthCheck: true\n"
                                    "healthStatuses: [passing, warning, maintenance]\nsetHost: true\n"
                                    "consistencyMode: stale\nfailFast: true\npreferServiceAddress: false\n"
                                    "weights:\n- {tag: canary, weight: 0.1}\ntransferMetadata: true\n"
                                    "fixedLengthStreamedAfterKB: 10240\nwaitSecs: 60\n"),
            "");
}

TEST(ConsulNamerFactoryTest, RefusesBadValuesWithTheirPlace) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "consistencyMode: eventual"),
            "block.yaml:1:18: consistencyMode must be default, stale or consistent, got 'eventual'");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "healthStatuses: [passing, sick]"),
            "block.yaml:1:27: unknown health status 'sick' (passing, warning, critical or maintenance)");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "port: 0"), "block.yaml:1:7: port must be 1-65535, got 0");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "weights:\n- {tag: canary}"),
            "block.yaml:2:3: missing required key 'weight'");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "waitSecs: 900"),
            "block.yaml:1:11: waitSecs must be 1-600 (Consul caps a blocking query's wait at 10 minutes)");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "hostname: x"), "block.yaml:1:1: unknown key 'hostname'");
}

TEST(ConsulNamerFactoryTest, ReadsItsTlsBlock) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul",
                                    "tls: {commonName: consul, trustCerts: [/etc/ca.pem], disableValidation: false,\n"
                                    "      clientAuth: {certPath: /c.pem, keyPath: /k.pem}}"),
            "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "tls: {trustCerts: /etc/ca.pem}"),
            "block.yaml:1:19: trustCerts must be a list of files");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.consul", "tls: {clientAuth: {certPath: /c.pem}}"),
            "block.yaml:1:19: missing required key 'keyPath'");
}

}  // namespace
