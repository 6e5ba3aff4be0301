#include "plugins/common/k8s/k8s_api.h"

#include "plugins/common/discovery/json_fields.h"
#include "plugins/common/discovery/url_encode.h"

namespace ferry::plugins::kube {
using namespace discovery;  // NOLINT: the JSON readers and urlEncode

namespace {

std::string nameOf(const json::object& object) {
  const json::object* meta = objectAt(object, "metadata");
  return meta ? stringAt(*meta, "name") : std::string();
}

std::string resourceVersionOf(const json::object& object) {
  const json::object* meta = objectAt(object, "metadata");
  return meta ? stringAt(*meta, "resourceVersion") : std::string();
}

std::optional<EndpointsObject> readEndpoints(const json::object& object) {
  EndpointsObject out;
  out.name = nameOf(object);
  if (out.name.empty()) return std::nullopt;
  if (const json::array* subsets = arrayAt(object, "subsets")) {
    for (const auto& s : *subsets) {
      if (!s.is_object()) continue;
      EndpointSubset subset;
      if (const json::array* addresses = arrayAt(s.get_object(), "addresses")) {
        for (const auto& a : *addresses) {
          if (!a.is_object()) continue;
          EndpointAddress address{stringAt(a.get_object(), "ip"), stringAt(a.get_object(), "nodeName")};
          if (!address.ip.empty()) subset.addresses.push_back(std::move(address));
        }
      }
      if (const json::array* ports = arrayAt(s.get_object(), "ports")) {
        for (const auto& p : *ports) {
          if (!p.is_object()) continue;
          std::string protocol = stringAt(p.get_object(), "protocol");
          if (!protocol.empty() && protocol != "TCP") continue;  // Ferry proxies TCP only
          auto port = intAt(p.get_object(), "port", 1, 65535);
          if (port) subset.ports[stringAt(p.get_object(), "name")] = static_cast<int>(*port);
        }
      }
      out.subsets.push_back(std::move(subset));
    }
  }
  return out;
}

std::optional<ServiceObject> readService(const json::object& object) {
  ServiceObject out;
  out.name = nameOf(object);
  if (out.name.empty()) return std::nullopt;
  if (const json::object* spec = objectAt(object, "spec")) {
    if (const json::array* ports = arrayAt(*spec, "ports")) {
      for (const auto& p : *ports) {
        if (!p.is_object()) continue;
        const json::object& port = p.get_object();
        std::string protocol = stringAt(port, "protocol");
        if (!protocol.empty() && protocol != "TCP") continue;
        ServicePort sp;
        sp.name = stringAt(port, "name");
        auto number = intAt(port, "port", 1, 65535);
        if (!number) continue;
        sp.port = static_cast<int>(*number);
        if (auto target = intAt(port, "targetPort", 1, 65535)) {
          sp.targetPortNumber = static_cast<int>(*target);
        } else {
          sp.targetPortName = stringAt(port, "targetPort");
        }
        out.ports.push_back(std::move(sp));
      }
    }
  }
  if (const json::object* status = objectAt(object, "status")) {
    if (const json::object* lb = objectAt(*status, "loadBalancer")) {
      if (const json::array* ingress = arrayAt(*lb, "ingress")) {
        for (const auto& i : *ingress) {
          if (!i.is_object()) continue;
          std::string ip = stringAt(i.get_object(), "ip");
          if (ip.empty()) ip = stringAt(i.get_object(), "hostname");
          if (!ip.empty()) out.ingress.push_back(std::move(ip));
        }
      }
    }
  }
  return out;
}

template <typename T, typename Read>
Parsed<ObjectList<T>> parseList(std::string_view text, const char* kind, Read read) {
  Parsed<ObjectList<T>> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  if (!v->is_object()) {
    out.error = std::string("expected a ") + kind + ", got " + kindName(*v);
    return out;
  }
  const json::object& list = v->get_object();
  ObjectList<T> result;
  result.resourceVersion = resourceVersionOf(list);
  if (result.resourceVersion.empty()) {
    out.error = std::string("the ") + kind + " has no metadata.resourceVersion";
    return out;
  }
  if (const json::array* items = arrayAt(list, "items")) {
    for (const auto& item : *items) {
      if (!item.is_object()) continue;
      if (auto object = read(item.get_object())) result.items.push_back(std::move(*object));
    }
  }
  out.value = std::move(result);
  return out;
}

template <typename T, typename Read>
Parsed<WatchEvent<T>> parseEvent(std::string_view text, Read read) {
  Parsed<WatchEvent<T>> out;
  auto v = parseJson(text, out.error);
  if (!v) return out;
  if (!v->is_object()) {
    out.error = "expected a watch event object, got " + kindName(*v);
    return out;
  }
  const json::object& event = v->get_object();
  std::string type = stringAt(event, "type");
  const json::object* object = objectAt(event, "object");
  WatchEvent<T> e;
  using Type = typename WatchEvent<T>::Type;
  if (type == "ADDED") {
    e.type = Type::Added;
  } else if (type == "MODIFIED") {
    e.type = Type::Modified;
  } else if (type == "DELETED") {
    e.type = Type::Deleted;
  } else if (type == "BOOKMARK") {
    e.type = Type::Bookmark;
  } else if (type == "ERROR") {
    e.type = Type::Error;
    if (object) {
      e.errorCode = static_cast<int>(intAt(*object, "code", 0, 999).value_or(0));
      e.errorMessage = stringAt(*object, "message");
    }
    out.value = std::move(e);
    return out;
  } else {
    out.error = "unknown watch event type '" + type + "'";
    return out;
  }
  if (!object) {
    out.error = "a " + type + " event without an object";
    return out;
  }
  e.resourceVersion = resourceVersionOf(*object);
  if (e.type != Type::Bookmark) {
    e.object = read(*object);
    if (!e.object) {
      out.error = "a " + type + " event for an object without a name";
      return out;
    }
  }
  out.value = std::move(e);
  return out;
}

}  // namespace

Parsed<ObjectList<EndpointsObject>> parseEndpointsList(std::string_view json) {
  return parseList<EndpointsObject>(json, "EndpointsList", readEndpoints);
}

Parsed<ObjectList<ServiceObject>> parseServiceList(std::string_view json) {
  return parseList<ServiceObject>(json, "ServiceList", readService);
}

Parsed<WatchEvent<EndpointsObject>> parseEndpointsEvent(std::string_view json) {
  return parseEvent<EndpointsObject>(json, readEndpoints);
}

Parsed<WatchEvent<ServiceObject>> parseServiceEvent(std::string_view json) {
  return parseEvent<ServiceObject>(json, readService);
}

namespace {

std::string collection(const std::string& ns, const std::string& resource) {
  return "/api/v1/namespaces/" + urlEncode(ns) + "/" + resource;
}

}  // namespace

namespace {

std::string selectorParameters(const Selectors& selectors) {
  std::string out;
  if (!selectors.labels.empty()) out += "&labelSelector=" + urlEncode(selectors.labels);
  if (!selectors.fields.empty()) out += "&fieldSelector=" + urlEncode(selectors.fields);
  return out;
}

}  // namespace

std::string listTarget(const std::string& ns, const std::string& resource, const Selectors& selectors) {
  std::string parameters = selectorParameters(selectors);
  if (!parameters.empty()) parameters[0] = '?';
  return collection(ns, resource) + parameters;
}

std::string watchTarget(const std::string& ns, const std::string& resource, const Selectors& selectors,
                        const std::string& resourceVersion, int timeoutSeconds) {
  return collection(ns, resource) + "?watch=true&resourceVersion=" + urlEncode(resourceVersion) +
         "&allowWatchBookmarks=true&timeoutSeconds=" + std::to_string(timeoutSeconds) + selectorParameters(selectors);
}

}  // namespace ferry::plugins::kube
