// The Kubernetes API as the k8s namers read it: objects, lists, watch events, request targets,
// and the endpoints a name's port selects.
#include "plugins/common/k8s/k8s_api.h"

#include <gtest/gtest.h>

#include "plugins/namer/k8s/k8s_namer.h"

namespace ferry::plugins::namer::k8s {
namespace {

const char* kEndpointsList = R"({"kind": "EndpointsList", "metadata": {"resourceVersion": "42"}, "items": [
  {"metadata": {"name": "web", "resourceVersion": "40"},
   "subsets": [{"addresses": [{"ip": "10.1.0.1", "nodeName": "n1"}, {"ip": ""}],
                "notReadyAddresses": [{"ip": "10.1.0.9"}],
                "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}, {"name": "dns", "port": 53,
                           "protocol": "UDP"}]},
               {"addresses": [{"ip": "10.2.0.1", "nodeName": "n2"}], "ports": [{"name": "admin", "port": 9990}]}]},
  {"metadata": {}}, 7]})";

TEST(K8sApiTest, EndpointsListKeepsReadyAddressesAndTcpPorts) {
  auto p = parseEndpointsList(kEndpointsList);
  ASSERT_TRUE(p.value) << p.error;
  EXPECT_EQ(p.value->resourceVersion, "42");
  ASSERT_EQ(p.value->items.size(), 1u) << "objects without a name are skipped";
  const auto& web = p.value->items[0];
  ASSERT_EQ(web.subsets.size(), 2u);
  EXPECT_EQ(web.subsets[0].addresses, (std::vector<EndpointAddress>{{"10.1.0.1", "n1"}}));
  EXPECT_EQ(web.subsets[0].ports, (std::map<std::string, int>{{"http", 8080}}));
  EXPECT_EQ(parseEndpointsList(R"({"items": []})").error, "the EndpointsList has no metadata.resourceVersion");
}

TEST(K8sApiTest, WatchEvents) {
  auto added = parseEndpointsEvent(R"({"type": "ADDED", "object": {"metadata": {"name": "a", "resourceVersion": "7"}}})");
  ASSERT_TRUE(added.value) << added.error;
  EXPECT_EQ(added.value->resourceVersion, "7");
  EXPECT_EQ(added.value->object->name, "a");
  auto bookmark = parseEndpointsEvent(R"({"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "9"}}})");
  ASSERT_TRUE(bookmark.value);
  EXPECT_EQ(bookmark.value->resourceVersion, "9");
  auto gone = parseEndpointsEvent(R"({"type": "ERROR", "object": {"kind": "Status", "code": 410, "message": "old"}})");
  ASSERT_TRUE(gone.value);
  EXPECT_EQ(gone.value->errorCode, 410);
  EXPECT_EQ(parseEndpointsEvent(R"({"type": "SYNC", "object": {}})").error, "unknown watch event type 'SYNC'");
  EXPECT_EQ(parseEndpointsEvent(R"({"type": "ADDED"})").error, "a ADDED event without an object");
}

TEST(K8sApiTest, ServicePortsAndIngress) {
  auto p = parseServiceEvent(R"({"type": "MODIFIED", "object": {"metadata": {"name": "api"},
    "spec": {"ports": [{"name": "web", "port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8081},
                       {"port": 82}]},
    "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}, {"hostname": "lb.example"}]}}}})");
  ASSERT_TRUE(p.value) << p.error;
  const auto& svc = *p.value->object;
  ASSERT_EQ(svc.ports.size(), 3u);
  EXPECT_EQ(svc.ports[0].targetPortName, "http");
  EXPECT_EQ(svc.ports[1].targetPortNumber, 8081);
  EXPECT_EQ(svc.ports[2].targetPortNumber, 0);
  EXPECT_EQ(svc.ingress, (std::vector<std::string>{"192.0.2.1", "lb.example"}));
}

TEST(K8sApiTest, Targets) {
  EXPECT_EQ(listTarget("prod", "endpoints", {}), "/api/v1/namespaces/prod/endpoints");
  EXPECT_EQ(listTarget("prod", "endpoints", {"version=v1", ""}),
            "/api/v1/namespaces/prod/endpoints?labelSelector=version%3Dv1");
  EXPECT_EQ(watchTarget("prod", "services", {"", "metadata.name=l5d"}, "42", 300),
            "/api/v1/namespaces/prod/services?watch=true&resourceVersion=42&allowWatchBookmarks=true&timeoutSeconds=300"
            "&fieldSelector=metadata.name%3Dl5d");
}

TEST(K8sAddressesTest, PortsByNameAndByServiceNumber) {
  auto web = parseEndpointsList(kEndpointsList).value->items[0];
  bool known = false;
  auto http = endpointAddresses(web, nullptr, "http", &known);
  ASSERT_TRUE(known);
  ASSERT_EQ(http.size(), 1u);
  EXPECT_EQ(http[0].host, "10.1.0.1");
  EXPECT_EQ(http[0].port, 8080);
  EXPECT_EQ(http[0].meta.at("nodeName"), "n1");
  endpointAddresses(web, nullptr, "grpc", &known);
  EXPECT_FALSE(known);
  ServiceObject svc{"web", {{"", 80, 0, "http"}, {"", 81, 9000, ""}, {"", 82, 0, ""}}, {}};
  EXPECT_EQ(endpointAddresses(web, &svc, "80", &known)[0].port, 8080) << "targetPort by name";
  auto numbered = endpointAddresses(web, &svc, "81", &known);
  EXPECT_EQ(numbered.size(), 2u) << "a numbered targetPort applies to every subset";
  EXPECT_EQ(numbered[0].port, 9000);
  EXPECT_EQ(endpointAddresses(web, &svc, "82", &known)[0].port, 82) << "no targetPort: the same number";
  EXPECT_TRUE(endpointAddresses(web, &svc, "83", &known).empty());
  EXPECT_FALSE(known);
  EXPECT_TRUE(endpointAddresses(web, nullptr, "80", &known).empty()) << "a number needs the Service";
}

}  // namespace
}  // namespace ferry::plugins::namer::k8s
