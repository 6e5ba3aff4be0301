// Consul's API as io.l5d.consul reads it: response documents, request targets, the index rules
// of blocking queries, and the endpoints a service's instances become.
#include "plugins/namer/consul/consul_api.h"

#include <gtest/gtest.h>

#include "plugins/namer/consul/consul_namer.h"

namespace ferry::plugins::namer::consul {
namespace {

TEST(ConsulApiTest, ServiceListWithTags) {
  auto p = parseServices(R"({"consul": [], "web": ["v1", "Canary", 3]})");
  ASSERT_TRUE(p.value) << p.error;
  EXPECT_EQ(p.value->size(), 2u);
  EXPECT_EQ(p.value->at("web"), (std::vector<std::string>{"v1", "Canary"}));
  EXPECT_FALSE(parseServices("[1,2]").value);
  EXPECT_EQ(parseServices("[1,2]").error, "expected an object of service names, got array");
  EXPECT_EQ(parseServices("{\"web\": ").error.rfind("malformed JSON: ", 0), 0u);
}

TEST(ConsulApiTest, HealthEntriesTakeTheWorstOfTheirChecks) {
  auto p = parseHealthNodes(R"([
    {"Node": {"Node": "n1", "Address": "10.0.0.1"},
     "Service": {"Address": "", "Port": 8080, "Tags": ["a"], "Meta": {"v": "2", "n": 1}},
     "Checks": [{"Status": "passing"}, {"Status": "warning"}]},
    {"Node": {"Node": "n2", "Address": "10.0.0.2"},
     "Service": {"Address": "10.1.0.2", "Port": 8080},
     "Checks": [{"Status": "passing"}, {"CheckID": "_node_maintenance", "Status": "critical"}]},
    {"Node": {"Node": "n3", "Address": "10.0.0.3"}, "Service": {"Port": 70000}, "Checks": [{"Status": "odd"}]},
    "not an object", {"Node": {}}])");
  ASSERT_TRUE(p.value) << p.error;
  ASSERT_EQ(p.value->size(), 3u);
  EXPECT_EQ((*p.value)[0].health, HealthStatus::Warning);
  EXPECT_EQ((*p.value)[0].meta, (std::map<std::string, std::string>{{"v", "2"}}));
  EXPECT_EQ((*p.value)[1].health, HealthStatus::Maintenance);
  EXPECT_EQ((*p.value)[1].serviceAddress, "10.1.0.2");
  EXPECT_EQ((*p.value)[2].port, -1) << "a port out of range is no port";
  EXPECT_EQ((*p.value)[2].health, HealthStatus::Critical) << "an unknown status counts as critical";
}

TEST(ConsulApiTest, CatalogEntries) {
  auto p = parseCatalogNodes(R"([{"Node": "n1", "Address": "10.0.0.1", "ServiceAddress": "", "ServicePort": 80,
                                  "ServiceTags": ["x"], "ServiceMeta": {"k": "v"}}])");
  ASSERT_TRUE(p.value) << p.error;
  ASSERT_EQ(p.value->size(), 1u);
  EXPECT_EQ((*p.value)[0].node, "n1");
  EXPECT_EQ((*p.value)[0].port, 80);
  EXPECT_EQ((*p.value)[0].health, HealthStatus::Passing);
}

TEST(ConsulApiTest, AgentSelfDatacenterAndDomain) {
  auto p = parseAgentSelf(R"({"Config": {"Datacenter": "east"}, "DebugConfig": {"DNSDomain": ".corp."}})");
  ASSERT_TRUE(p.value) << p.error;
  EXPECT_EQ(p.value->datacenter, "east");
  EXPECT_EQ(p.value->domain, "corp");
  EXPECT_EQ(parseAgentSelf(R"({"Config": {"Datacenter": "d", "Domain": "old."}})").value->domain, "old");
  EXPECT_EQ(parseAgentSelf(R"({"Config": {"Datacenter": "d"}})").value->domain, "consul");
  EXPECT_EQ(parseAgentSelf(R"({"Config": {}})").error, "the agent's Config has no Datacenter");
}

TEST(ConsulApiTest, TargetsCarryBlockingAndConsistencyParameters) {
  QueryOptions o;
  EXPECT_EQ(servicesTarget("dc 1", o), "/v1/catalog/services?dc=dc%201");
  o.index = 42;
  o.waitSeconds = 60;
  o.consistency = ConsistencyMode::Stale;
  EXPECT_EQ(servicesTarget("dc1", o), "/v1/catalog/services?dc=dc1&stale&index=42&wait=60s");
  o.consistency = ConsistencyMode::Consistent;
  EXPECT_EQ(serviceNodesTarget("dc1", "web/x", std::string("Canary"), true, true, o),
            "/v1/health/service/web%2Fx?dc=dc1&consistent&index=42&wait=60s&tag=Canary&passing");
  EXPECT_EQ(serviceNodesTarget("dc1", "web", std::nullopt, false, true, QueryOptions{}),
            "/v1/catalog/service/web?dc=dc1");
}

TEST(ConsulApiTest, IndexesThatGoBackwardsStartOver) {
  EXPECT_EQ(nextIndex(0, 17), 17u);
  EXPECT_EQ(nextIndex(17, 17), 17u);
  EXPECT_EQ(nextIndex(17, 30), 30u);
  EXPECT_EQ(nextIndex(17, 5), 0u) << "gone backwards: ask without an index";
  EXPECT_EQ(nextIndex(0, 0), 1u) << "an index is never 0 once one was received";
}

TEST(ConsulAddressesTest, HealthWeightsMetadataAndAuthority) {
  ConsulSettings s;
  s.useHealthCheck = true;
  s.healthStatuses = {HealthStatus::Passing, HealthStatus::Warning};
  s.tagWeights = {{"canary", 0.1}, {"big", 3.0}};
  s.transferMetadata = true;
  std::vector<ServiceNode> nodes(5);
  nodes[0] = {"n1", "10.0.0.1", "10.1.0.1", 80, {"canary", "big"}, {{"v", "2"}}, HealthStatus::Passing};
  nodes[1] = {"n2", "10.0.0.2", "", 80, {"canary"}, {}, HealthStatus::Warning};
  nodes[2] = {"n3", "10.0.0.3", "", 80, {}, {}, HealthStatus::Critical};
  nodes[3] = {"n4", "10.0.0.4", "", -1, {}, {}, HealthStatus::Passing};
  nodes[4] = {"n1", "10.0.0.1", "10.1.0.1", 80, {}, {}, HealthStatus::Passing};
  auto a = toAddresses(nodes, s, "web.service.dc1.consul");
  ASSERT_EQ(a.size(), 2u) << "critical and portless instances left out, duplicates merged";
  EXPECT_EQ(a[0].host, "10.0.0.2");
  EXPECT_EQ(a[0].weight, 0.1);
  EXPECT_EQ(a[1].host, "10.1.0.1") << "the service's address before its node's";
  EXPECT_EQ(a[1].weight, 3.0) << "the heaviest listed tag";
  EXPECT_EQ(a[1].meta.at("v"), "2");
  EXPECT_EQ(a[1].meta.at("nodeName"), "n1");
  EXPECT_EQ(a[1].meta.at("authority"), "web.service.dc1.consul");
  s.preferServiceAddress = false;
  s.transferMetadata = false;
  auto b = toAddresses({nodes[0]}, s, "");
  EXPECT_EQ(b[0].host, "10.0.0.1");
  EXPECT_EQ(b[0].meta.count("v"), 0u);
  EXPECT_EQ(b[0].meta.count("authority"), 0u);
}

}  // namespace
}  // namespace ferry::plugins::namer::consul
