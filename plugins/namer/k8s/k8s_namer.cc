#include "plugins/namer/k8s/k8s_namer.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "ferry/sdk/json.h"
#include "plugins/common/discovery/endpoint_set.h"

namespace ferry::plugins::namer::k8s {
namespace {

using discovery::Linger;
using discovery::Resolution;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/** A port segment that is a number: the Service port it names; 0 when it is a name. */
int portNumber(const std::string& port) {
  if (port.empty() || port.size() > 5) return 0;
  for (char c : port) {
    if (c < '0' || c > '9') return 0;
  }
  int n = std::stoi(port);
  return n >= 1 && n <= 65535 ? n : 0;
}

/** The watch for a path too short to name anything: nothing to stop. */
class NoWatch final : public sdk::Watch {};

}  // namespace

std::vector<sdk::Address> endpointAddresses(const EndpointsObject& endpoints, const ServiceObject* service,
                                            const std::string& port, bool* portKnown) {
  std::vector<sdk::Address> out;
  *portKnown = false;
  int number = portNumber(port);
  // A number is the Service's port: the pods listen on its targetPort (a number, a name looked
  // up per subset, or, when absent, the same number).
  int targetNumber = 0;
  std::string targetName = number ? std::string() : port;
  if (number) {
    if (!service) return out;
    auto sp = std::find_if(service->ports.begin(), service->ports.end(),
                           [&](const ServicePort& p) { return p.port == number; });
    if (sp == service->ports.end()) return out;
    targetNumber = sp->targetPortNumber;
    targetName = sp->targetPortName;
    if (!targetNumber && targetName.empty()) targetNumber = number;
  }
  for (const auto& subset : endpoints.subsets) {
    int p = targetNumber;
    if (!p) {
      auto named = subset.ports.find(targetName);
      if (named == subset.ports.end()) continue;
      p = named->second;
    }
    *portKnown = true;
    for (const auto& a : subset.addresses) {
      sdk::Address address;
      address.host = a.ip;
      address.port = static_cast<uint16_t>(p);
      if (!a.nodeName.empty()) address.meta["nodeName"] = a.nodeName;
      out.push_back(std::move(address));
    }
  }
  discovery::sortAndMerge(out);
  return out;
}

/** One watched collection of a namespace: its objects by name, as last listed and watched. */
template <typename T>
struct K8sNamer::Collection {
  std::map<std::string, T> objects;
  std::unique_ptr<ListWatch> watch;
  bool listed = false;
  std::string error;  ///< the last failure, while it lasts
};

/** One watched namespace (and label selector): its Endpoints, and its Services once needed. */
struct K8sNamer::Namespace {
  Collection<EndpointsObject> endpoints;
  Collection<ServiceObject> services;
  Linger::Clock::time_point unusedSince{};
};

K8sNamer::K8sNamer(K8sSettings settings, const sdk::NamerContext& context)
    : settings_(std::move(settings)),
      idPrefix_(context.idPrefix),
      host_(*context.host),
      linger_(context.host->mainDispatcher(), [this] { return sweep(); }),
      lookups_(context.host->stats().counter("lookups")),
      updates_(context.host->stats().counter("updates")),
      errors_(context.host->stats().counter("errors")),
      relists_(context.host->stats().counter("watch_restarts")),
      events_(context.host->stats().counter("events")),
      observers_([this](const Key& k) { return resolve(k); }, [this](const Key& k) { released(k); }, updates_) {}

K8sNamer::~K8sNamer() = default;

sdk::WatchPtr K8sNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  lookups_.incr();
  const std::size_t length = (settings_.fixedNamespace ? 2 : 3) + (settings_.labelName ? 1 : 0);
  if (path.size() < length) {
    observer(sdk::NameActivity::ok(sdk::NameTree<sdk::Name>::neg()));
    return std::make_unique<NoWatch>();
  }
  // Kubernetes names are lower-case DNS labels; Linkerd lower-cases the whole name.
  std::vector<std::string> id;
  for (std::size_t i = 0; i < length; ++i) id.push_back(lower(path[i]));
  std::size_t at = 0;
  Key key;
  key.ns = settings_.fixedNamespace ? *settings_.fixedNamespace : id[at++];
  key.port = id[at++];
  key.service = id[at++];
  if (settings_.labelName) key.selector = *settings_.labelName + "=" + id[at++];
  return observers_.add(key, idPrefix_.concat(sdk::Path(std::move(id))), path.drop(length), std::move(observer));
}

Resolution K8sNamer::resolve(const Key& key) {
  Scope s{key.ns, key.selector};
  Namespace& ns = scope(s);
  Linger::used(ns.unusedSince);
  const bool external = settings_.mode == K8sSettings::Mode::External;
  const int number = portNumber(key.port);
  const bool needServices = external || number;
  if (needServices && !ns.services.watch) {
    watch(ns.services, s, "services", parseServiceList, parseServiceEvent);
  }
  auto where = [&](const char* what) {
    return "k8s " + std::string(what) + " of namespace '" + key.ns + "'" +
           (key.selector.empty() ? "" : " (" + key.selector + ")") + " at " + settings_.api.show() + ": ";
  };
  if (!external && !ns.endpoints.listed) {
    return ns.endpoints.error.empty() ? Resolution::pending()
                                      : Resolution::failed(where("endpoints") + ns.endpoints.error);
  }
  if (needServices && !ns.services.listed) {
    return ns.services.error.empty() ? Resolution::pending()
                                     : Resolution::failed(where("services") + ns.services.error);
  }
  const ServiceObject* service = nullptr;
  if (needServices) {
    auto found = ns.services.objects.find(key.service);
    if (found == ns.services.objects.end()) return Resolution::neg();
    service = &found->second;
  }
  std::vector<sdk::Address> addresses;
  if (external) {
    auto sp = std::find_if(service->ports.begin(), service->ports.end(), [&](const ServicePort& p) {
      return number ? p.port == number : p.name == key.port;
    });
    if (sp == service->ports.end()) return Resolution::neg();
    for (const auto& ingress : service->ingress) {
      sdk::Address a;
      a.host = ingress;
      a.port = static_cast<uint16_t>(sp->port);
      addresses.push_back(std::move(a));
    }
    discovery::sortAndMerge(addresses);
  } else {
    auto endpoints = ns.endpoints.objects.find(key.service);
    if (endpoints == ns.endpoints.objects.end()) return Resolution::neg();
    bool portKnown = false;
    addresses = endpointAddresses(endpoints->second, service, key.port, &portKnown);
    if (!portKnown) return Resolution::neg();
  }
  auto& slot = resolved_[key];
  slot = std::move(addresses);
  return Resolution::ok(slot);
}

void K8sNamer::released(const Key& key) {
  resolved_.erase(key);
  Scope s{key.ns, key.selector};
  bool used = false;
  observers_.forEachKey([&](const Key& k) { used |= k.ns == key.ns && k.selector == key.selector; });
  if (used) return;
  if (auto ns = namespaces_.find(s); ns != namespaces_.end()) linger_.unused(ns->second->unusedSince);
}

bool K8sNamer::sweep() {
  auto now = Linger::Clock::now();
  bool lingering = false;
  for (auto it = namespaces_.begin(); it != namespaces_.end();) {
    if (Linger::expired(it->second->unusedSince, now)) {
      it = namespaces_.erase(it);
      continue;
    }
    lingering |= Linger::lingering(it->second->unusedSince);
    ++it;
  }
  return lingering;
}

void K8sNamer::notifyScope(const Scope& s) {
  observers_.notifyRange(Key{s.first, s.second, "", ""}, Key{s.first, s.second + '\0', "", ""});
}

void K8sNamer::notifyService(const Scope& s, const std::string& service) {
  observers_.notifyRange(Key{s.first, s.second, service, ""}, Key{s.first, s.second, service + '\0', ""});
}

K8sNamer::Namespace& K8sNamer::scope(const Scope& s) {
  auto& slot = namespaces_[s];
  if (slot) return *slot;
  slot = std::make_unique<Namespace>();
  // io.l5d.k8s.external reads Services only.
  if (settings_.mode != K8sSettings::Mode::External) {
    watch(slot->endpoints, s, "endpoints", parseEndpointsList, parseEndpointsEvent);
  }
  return *slot;
}

template <typename T, typename ParseList, typename ParseEvent>
void K8sNamer::watch(Collection<T>& collection, const Scope& s, const char* resource, ParseList parseList,
                     ParseEvent parseEvent) {
  Collection<T>* c = &collection;
  std::string what = "k8s " + std::string(resource) + " of namespace '" + s.first + "'";
  ListWatch::Hooks hooks;
  hooks.listTarget = [s, resource] { return listTarget(s.first, resource, Selectors{s.second, ""}); };
  hooks.watchTarget = [this, s, resource](const std::string& version) {
    return watchTarget(s.first, resource, Selectors{s.second, ""}, version, settings_.api.watchSeconds);
  };
  hooks.onList = [this, s, c, what, resource, parseList](const std::string& body) -> std::pair<std::string, std::string> {
    auto parsed = parseList(body);
    if (!parsed.value) return {"", std::string(resource) + " list: " + parsed.error};
    c->objects.clear();
    for (auto& object : parsed.value->items) c->objects[object.name] = std::move(object);
    if (!c->error.empty()) host_.logger().info(what + " listed again");
    c->listed = true;
    c->error.clear();
    notifyScope(s);
    return {parsed.value->resourceVersion, ""};
  };
  hooks.onLine = [this, s, c, parseEvent](std::string_view line) {
    using Outcome = ListWatch::LineOutcome;
    auto parsed = parseEvent(line);
    if (!parsed.value) return Outcome{Outcome::Kind::Refused, "", parsed.error};
    auto& e = *parsed.value;
    using Type = typename WatchEvent<T>::Type;
    if (e.type == Type::Error) {
      if (e.errorCode == 410) return Outcome{Outcome::Kind::Expired, "", ""};
      return Outcome{Outcome::Kind::Refused, "", "ERROR " + std::to_string(e.errorCode) + ": " + e.errorMessage};
    }
    events_.incr();
    Outcome out{Outcome::Kind::Applied, e.resourceVersion, ""};
    if (e.type == Type::Bookmark) return out;
    std::string name = e.object->name;
    if (e.type == Type::Deleted) {
      c->objects.erase(name);
    } else {
      c->objects[name] = std::move(*e.object);
    }
    notifyService(s, name);
    return out;
  };
  hooks.onFailure = [this, s, c, what](const std::string& why) {
    errors_.incr();
    bool first = c->error.empty();
    c->error = why;
    if (first) {
      host_.logger().warning(what + " at " + settings_.api.show() + ": " + why +
                             (c->listed ? " (keeping the last list; retrying)" : " (retrying)"));
    }
    if (!c->listed) notifyScope(s);
  };
  c->watch = std::make_unique<ListWatch>(host_, settings_.api, std::move(hooks));
  c->watch->setRelistCounter(&relists_);
  c->watch->start();
}

std::string K8sNamer::stateJson() const {
  std::string out = "{\"api\":" + sdk::jsonQuote(settings_.api.show()) + ",\"namespaces\":{";
  bool first = true;
  for (const auto& [s, ns] : namespaces_) {
    out += std::string(first ? "" : ",") + sdk::jsonQuote(s.first + (s.second.empty() ? "" : "?" + s.second)) + ":{";
    first = false;
    out += "\"endpoints\":{";
    bool firstService = true;
    for (const auto& [name, e] : ns->endpoints.objects) {
      out += std::string(firstService ? "" : ",") + sdk::jsonQuote(name) + ":[";
      firstService = false;
      bool firstAddress = true;
      for (const auto& subset : e.subsets) {
        for (const auto& a : subset.addresses) {
          for (const auto& [portName, port] : subset.ports) {
            out += std::string(firstAddress ? "" : ",") +
                   sdk::jsonQuote(a.ip + ":" + std::to_string(port) + (portName.empty() ? "" : " (" + portName + ")"));
            firstAddress = false;
          }
        }
      }
      out += "]";
    }
    out += "},\"services\":" + std::to_string(ns->services.objects.size());
    if (ns->endpoints.watch) out += ",\"endpointsWatch\":" + ns->endpoints.watch->stateJson();
    if (ns->services.watch) out += ",\"servicesWatch\":" + ns->services.watch->stateJson();
    out += "}";
  }
  return out + "},\"observers\":" + std::to_string(observers_.observerCount()) + "}";
}

std::vector<sdk::Path> K8sNamer::boundNames() const {
  std::vector<sdk::Path> out;
  for (const auto& [s, ns] : namespaces_) {
    std::string labelValue = s.second.empty() ? "" : s.second.substr(s.second.find('=') + 1);
    for (const auto& [name, e] : ns->endpoints.objects) {
      std::set<std::string> ports;
      for (const auto& subset : e.subsets) {
        if (subset.addresses.empty()) continue;
        for (const auto& [portName, port] : subset.ports) {
          if (!portName.empty()) ports.insert(portName);
        }
      }
      for (const auto& port : ports) {
        std::vector<std::string> id;
        if (!settings_.fixedNamespace) id.push_back(s.first);
        id.push_back(port);
        id.push_back(name);
        if (!labelValue.empty()) id.push_back(labelValue);
        out.push_back(idPrefix_.concat(sdk::Path(std::move(id))));
      }
    }
  }
  return out;
}

}  // namespace ferry::plugins::namer::k8s
