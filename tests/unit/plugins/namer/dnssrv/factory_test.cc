// The io.l5d.dnssrv factory (plugins/namer/dnssrv): blocks it accepts, blocks it refuses.
#include "tests/unit/plugins/factory_testing.h"

namespace {

TEST(DnsSrvNamerFactoryTest, AcceptsLinkerdsKeys) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv", "{}"), "");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv",
                                    "refreshIntervalSeconds: 15\ndnsHosts: [ns0.example.org, 127.0.0.1:8600, '[::1]:53']"),
            "");
}

TEST(DnsSrvNamerFactoryTest, RefusesBadValuesWithTheirPlace) {
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv", "refreshIntervalSeconds: 0"),
            "block.yaml:1:25: refreshIntervalSeconds must be 1-86400, got 0");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv", "dnsHosts: []"),
            "block.yaml:1:11: dnsHosts must be a non-empty list of DNS servers (host or host:port)");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv", "dnsHosts: ['[::1']"),
            "block.yaml:1:12: DNS server '[::1' has no closing ']'");
  EXPECT_EQ(ferry::testing::verdict("namer", "io.l5d.dnssrv", "dnsHost: [x]"), "block.yaml:1:1: unknown key 'dnsHost' (did you mean 'dnsHosts'?)");
}

}  // namespace
