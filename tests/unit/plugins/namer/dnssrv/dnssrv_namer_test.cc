// io.l5d.dnssrv's reading of an SRV answer (plugins/namer/dnssrv/dnssrv_namer.h).
#include "plugins/namer/dnssrv/dnssrv_namer.h"

#include <gtest/gtest.h>

namespace {

using ferry::plugins::namer::dnssrv::toAddresses;

ferry::sdk::SrvTarget record(std::string target, uint16_t port, std::vector<std::string> addresses,
                             uint16_t priority = 10, uint16_t weight = 5) {
  ferry::sdk::SrvTarget t;
  t.target = std::move(target);
  t.port = port;
  t.priority = priority;
  t.weight = weight;
  t.addresses = std::move(addresses);
  return t;
}

TEST(DnsSrvAddressesTest, EachAddressOfEachTargetWithTheRecordsPortAndMetadata) {
  ferry::sdk::SrvAnswer answer;
  answer.outcome = ferry::sdk::SrvAnswer::Outcome::Found;
  answer.records = {record("b.test", 8081, {"10.0.0.2", "fd00::2"}), record("a.test", 8080, {"10.0.0.1"}, 20, 1)};
  auto out = toAddresses(answer);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].host, "10.0.0.1");
  EXPECT_EQ(out[0].port, 8080);
  EXPECT_EQ(out[0].weight, 1.0);  // SRV weights are metadata, not load-balancer weights (as in Linkerd)
  EXPECT_EQ(out[0].meta.at("srv_target"), "a.test");
  EXPECT_EQ(out[0].meta.at("srv_priority"), "20");
  EXPECT_EQ(out[0].meta.at("srv_weight"), "1");
  EXPECT_EQ(out[1].host, "10.0.0.2");
  EXPECT_EQ(out[2].host, "fd00::2");
  EXPECT_EQ(out[2].port, 8081);
}

TEST(DnsSrvAddressesTest, OneEndpointPerHostAndPortAndNoneForTargetsWithoutAddresses) {
  ferry::sdk::SrvAnswer answer;
  answer.records = {record("a.test", 8080, {"10.0.0.1"}), record("alias.test", 8080, {"10.0.0.1"}),
                    record("ghost.test", 8080, {})};
  auto out = toAddresses(answer);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].host, "10.0.0.1");
}

}  // namespace
