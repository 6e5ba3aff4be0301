// libFuzzer harness: the documents discovery namers read from a remote API (a Consul agent, a
// Kubernetes API server or its proxy): Consul's service lists, health and catalog entries and
// agent description; Kubernetes Endpoints and Service lists and watch events. Byte 0 picks the
// parser; the rest is the document. What parses must make sense (ports in range, names set) and
// turn into endpoints without trouble.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plugins/common/k8s/k8s_api.h"
#include "plugins/namer/consul/consul_api.h"
#include "plugins/namer/consul/consul_namer.h"
#include "plugins/namer/k8s/k8s_namer.h"

namespace consul = ferry::plugins::namer::consul;
namespace k8s = ferry::plugins::namer::k8s;

namespace {

void checkNodes(const std::vector<consul::ServiceNode>& nodes) {
  for (const auto& n : nodes) {
    if (n.port < -1 || n.port > 65535) std::abort();
  }
  consul::ConsulSettings settings;
  settings.useHealthCheck = true;
  settings.healthStatuses = {consul::HealthStatus::Passing, consul::HealthStatus::Warning};
  settings.tagWeights = {{"canary", 0.5}};
  settings.transferMetadata = true;
  for (const auto& a : consul::toAddresses(nodes, settings, "web.service.dc1.consul")) {
    if (a.port == 0 || a.host.empty()) std::abort();
  }
}

void checkEndpoints(const k8s::EndpointsObject& e) {
  if (e.name.empty()) std::abort();
  k8s::ServiceObject service{e.name, {{"web", 80, 0, "http"}, {"", 81, 8081, ""}}, {}};
  for (const char* port : {"http", "80", "81", "9"}) {
    bool known = false;
    for (const auto& a : k8s::endpointAddresses(e, &service, port, &known)) {
      if (a.port == 0 || a.host.empty()) std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view doc(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0:
      consul::parseServices(doc);
      break;
    case 1:
      if (auto p = consul::parseHealthNodes(doc); p.value) checkNodes(*p.value);
      break;
    case 2:
      if (auto p = consul::parseCatalogNodes(doc); p.value) checkNodes(*p.value);
      break;
    case 3:
      if (auto p = consul::parseAgentSelf(doc); p.value && p.value->datacenter.empty()) std::abort();
      break;
    case 4:
      if (auto p = k8s::parseEndpointsList(doc); p.value) {
        for (const auto& e : p.value->items) checkEndpoints(e);
      }
      break;
    case 5:
      if (auto p = k8s::parseEndpointsEvent(doc); p.value && p.value->object) checkEndpoints(*p.value->object);
      break;
    case 6:
      if (auto p = k8s::parseServiceEvent(doc); p.value && p.value->object) {
        for (const auto& port : p.value->object->ports) {
          if (port.port < 1 || port.port > 65535) std::abort();
        }
      }
      k8s::parseServiceList(doc);
      break;
  }
  return 0;
}
