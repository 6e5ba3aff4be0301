#include "plugins/namer/consul/consul_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace ferry::plugins::namer::consul {
namespace json = boost::json;

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

/** Parses `text` as JSON without throwing; `error` is set when it is not JSON. */
std::optional<json::value> parseJson(std::string_view text, std::string& error) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec) {
    error = "malformed JSON: " + ec.message();
    return std::nullopt;
  }
  return v;
}

/** The string at `key` of `object`, or "" when absent, null or not a string. */
std::string stringAt(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  if (!v || !v->is_string()) return {};
  return std::string(v->get_string());
}

/** The object at `key`, or nullptr. */
const json::object* objectAt(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  return v && v->is_object() ? &v->get_object() : nullptr;
}

/** A port: an integer in 0..65535 (Consul writes numbers; anything else is absent). */
int portAt(const json::object& object, std::string_view key) {
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  if (!v) return -1;
  if (v->is_int64() && v->get_int64() >= 0 && v->get_int64() <= 65535) return static_cast<int>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= 65535) return static_cast<int>(v->get_uint64());
  return -1;
}

std::vector<std::string> stringsAt(const json::object& object, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = object.if_contains(json::string_view(key.data(), key.size()));
  if (!v || !v->is_array()) return out;
  for (const auto& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

std::map<std::string, std::string> stringMapAt(const json::object& object, std::string_view key) {
  std::map<std::string, std::string> out;
  const json::object* m = objectAt(object, key);
  if (!m) return out;
  for (const auto& [k, v] : *m) {
    if (v.is_string()) out.emplace(std::string(k), std::string(v.get_string()));
  }
  return out;
}

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
    out.error = "expected an object of service names, got " + std::string(json::to_string(v->kind()));
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
    out.error = "expected an array of service entries, got " + std::string(json::to_string(v->kind()));
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
    n.port = portAt(*service, "Port");
    n.tags = stringsAt(*service, "Tags");
    n.meta = stringMapAt(*service, "Meta");
    const json::value* checks = entry.if_contains("Checks");
    if (checks && checks->is_array()) {
      for (const auto& c : checks->get_array()) {
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
    out.error = "expected an array of catalog entries, got " + std::string(json::to_string(v->kind()));
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
    n.port = portAt(entry, "ServicePort");
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

std::string urlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
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
