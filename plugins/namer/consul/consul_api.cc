#include "plugins/namer/consul/consul_api.h"

#include "plugins/common/discovery/json_fields.h"
#include "plugins/common/discovery/url_encode.h"

namespace ferry::plugins::namer::consul {
using namespace discovery;  // NOLINT: the JSON readers and urlEncode

std::optional<HealthStatus> parseHealthStatus(std::string_view text) {
  if (text == "passing") return HealthStatus::Passing;
  if (text == "warning") return HealthStatus::Warning;
  if (text == "critical") return HealthStatus::Critical;
  if (text == "maintenance") return HealthStatus::Maintenance;
  return std::nullopt;
}

const char* healthStatusName(HealthStatus status) {
  switch (status) {
    case HealthStatus::Passing: return "passing";
    case HealthStatus::Warning: return "warning";
    case HealthStatus::Critical: return "critical";
    case HealthStatus::Maintenance: return "maintenance";
  }
  return "passing";
}

namespace {

/**
 * The status a check counts as. Consul puts a node or service in maintenance by adding a
 * critical check whose id is `_node_maintenance` or `_service_maintenance:<service id>`; its
 * API clients call that status "maintenance", and so does Linkerd's healthStatuses.
 */
HealthStatus checkStatus(const json::object& check) {
  std::string id = stringAt(check, "CheckID");
  if (id == "_node_maintenance" || id.rfind("_service_maintenance:", 0) == 0) return HealthStatus::Maintenance;
  return parseHealthStatus(stringAt(check, "Status")).value_or(HealthStatus::Critical);
}

}  // namespace

Parsed<std::map<std::string, std::vector<std::string>>> parseServices(std::string_view text) {
  Parsed<std::map<std::string, std::vector<std::string>>> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  if (!v->is_object()) {
    out.error = "expected an object of service names, got " + kindName(*v);
    return out;
  }
  std::map<std::string, std::vector<std::string>> services;
  for (const auto& [name, tags] : v->get_object()) {
    std::vector<std::string> list;
    if (tags.is_array()) {
      for (const auto& t : tags.get_array()) {
        if (t.is_string()) list.emplace_back(t.get_string());
      }
    }
    services.emplace(std::string(name), std::move(list));
  }
  out.value = std::move(services);
  return out;
}

Parsed<std::vector<ServiceNode>> parseHealthNodes(std::string_view text) {
  Parsed<std::vector<ServiceNode>> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  if (!v->is_array()) {
    out.error = "expected an array of service entries, got " + kindName(*v);
    return out;
  }
  std::vector<ServiceNode> nodes;
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) continue;
    const json::object& entry = e.get_object();
    const json::object* node = objectAt(entry, "Node");
    const json::object* service = objectAt(entry, "Service");
    if (!service) continue;
    ServiceNode n;
    if (node) {
      n.node = stringAt(*node, "Node");
      n.nodeAddress = stringAt(*node, "Address");
    }
    n.serviceAddress = stringAt(*service, "Address");
    n.port = static_cast<int>(intAt(*service, "Port", 0, 65535).value_or(-1));
    n.tags = stringsAt(*service, "Tags");
    n.meta = stringMapAt(*service, "Meta");
    if (const json::array* checks = arrayAt(entry, "Checks")) {
      for (const auto& c : *checks) {
        if (c.is_object()) n.health = std::max(n.health, checkStatus(c.get_object()));
      }
    }
    nodes.push_back(std::move(n));
  }
  out.value = std::move(nodes);
  return out;
}

Parsed<std::vector<ServiceNode>> parseCatalogNodes(std::string_view text) {
  Parsed<std::vector<ServiceNode>> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  if (!v->is_array()) {
    out.error = "expected an array of catalog entries, got " + kindName(*v);
    return out;
  }
  std::vector<ServiceNode> nodes;
  for (const auto& e : v->get_array()) {
    if (!e.is_object()) continue;
    const json::object& entry = e.get_object();
    ServiceNode n;
    n.node = stringAt(entry, "Node");
    n.nodeAddress = stringAt(entry, "Address");
    n.serviceAddress = stringAt(entry, "ServiceAddress");
    n.port = static_cast<int>(intAt(entry, "ServicePort", 0, 65535).value_or(-1));
    n.tags = stringsAt(entry, "ServiceTags");
    n.meta = stringMapAt(entry, "ServiceMeta");
    nodes.push_back(std::move(n));
  }
  out.value = std::move(nodes);
  return out;
}

Parsed<AgentSelf> parseAgentSelf(std::string_view text) {
  Parsed<AgentSelf> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  const json::object* config = v->is_object() ? objectAt(v->get_object(), "Config") : nullptr;
  if (!config) {
    out.error = "expected an object with a Config member";
    return out;
  }
  AgentSelf self;
  self.datacenter = stringAt(*config, "Datacenter");
  if (self.datacenter.empty()) {
    out.error = "the agent's Config has no Datacenter";
    return out;
  }
  // Older agents write Config.Domain; newer ones only DebugConfig.DNSDomain.
  self.domain = stringAt(*config, "Domain");
  if (self.domain.empty()) {
    if (const json::object* debug = objectAt(v->get_object(), "DebugConfig")) self.domain = stringAt(*debug, "DNSDomain");
  }
  while (!self.domain.empty() && self.domain.front() == '.') self.domain.erase(0, 1);
  while (!self.domain.empty() && self.domain.back() == '.') self.domain.pop_back();
  if (self.domain.empty()) self.domain = "consul";
  out.value = std::move(self);
  return out;
}

namespace {

std::string commonParameters(const std::string& dc, const QueryOptions& options) {
  std::string out = "?dc=" + urlEncode(dc);
  if (options.consistency == ConsistencyMode::Stale) out += "&stale";
  if (options.consistency == ConsistencyMode::Consistent) out += "&consistent";
  if (options.index > 0) out += "&index=" + std::to_string(options.index) + "&wait=" + std::to_string(options.waitSeconds) + "s";
  return out;
}

}  // namespace

std::string servicesTarget(const std::string& dc, const QueryOptions& options) {
  return "/v1/catalog/services" + commonParameters(dc, options);
}

std::string serviceNodesTarget(const std::string& dc, const std::string& service, const std::optional<std::string>& tag,
                               bool health, bool onlyPassing, const QueryOptions& options) {
  std::string out = std::string(health ? "/v1/health/service/" : "/v1/catalog/service/") + urlEncode(service) +
                    commonParameters(dc, options);
  if (tag) out += "&tag=" + urlEncode(*tag);
  if (health && onlyPassing) out += "&passing";
  return out;
}

uint64_t nextIndex(uint64_t sent, uint64_t received) {
  if (received < sent) return 0;
  return received == 0 ? 1 : received;
}

}  // namespace ferry::plugins::namer::consul
