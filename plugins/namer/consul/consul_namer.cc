#include "plugins/namer/consul/consul_namer.h"

#include <algorithm>

#include "ferry/sdk/json.h"
#include "plugins/common/discovery/endpoint_set.h"

namespace ferry::plugins::namer::consul {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

constexpr const char* kNoPathToDatacenter = "No path to datacenter";
using discovery::Linger;

const char* phaseName(int phase) {
  static const char* kNames[] = {"pending", "ok", "failed", "missing"};
  return kNames[phase];
}

/** The watch returned for a path too short to name a service: nothing to stop. */
class NoWatch final : public sdk::Watch {};

}  // namespace

std::vector<sdk::Address> toAddresses(const std::vector<ServiceNode>& nodes, const ConsulSettings& settings,
                                      const std::string& authority) {
  std::vector<sdk::Address> out;
  for (const auto& n : nodes) {
    if (settings.useHealthCheck && !settings.healthStatuses.count(n.health)) continue;
    if (n.port <= 0) continue;  // registered without a port: nothing to connect to
    const std::string& host =
        settings.preferServiceAddress && !n.serviceAddress.empty() ? n.serviceAddress : n.nodeAddress;
    if (host.empty()) continue;
    sdk::Address a;
    a.host = host;
    a.port = static_cast<uint16_t>(n.port);
    bool weighted = false;
    for (const auto& tag : n.tags) {
      auto w = settings.tagWeights.find(tag);
      if (w == settings.tagWeights.end()) continue;
      a.weight = weighted ? std::max(a.weight, w->second) : w->second;
      weighted = true;
    }
    if (settings.transferMetadata) {
      for (const auto& [k, v] : n.meta) a.meta[k] = v;
    }
    if (!n.node.empty()) a.meta["nodeName"] = n.node;
    if (!authority.empty()) a.meta["authority"] = authority;
    out.push_back(std::move(a));
  }
  discovery::sortAndMerge(out);
  return out;
}

/** One datacenter's service list, watched for as long as a lookup resolves into it. */
struct ConsulNamer::Datacenter {
  Phase phase = Phase::Pending;
  bool answered = false;  ///< Consul has answered once (with a list, or with "no path")
  std::string error;      ///< the last failure, while it lasts
  int failuresInRow = 0;
  Linger::Clock::time_point unusedSince{};  ///< set while no lookup resolves into it
  /** Key -> the service's name and tag as Consul spells them (the API is case-sensitive). */
  std::map<SvcKey, std::pair<std::string, std::optional<std::string>>> services;
  std::unique_ptr<BlockingQuery> query;
};

/** One service's instances, watched while an observer resolves to it. */
struct ConsulNamer::Service {
  Phase phase = Phase::Pending;
  bool answered = false;
  std::string error;
  int failuresInRow = 0;
  Linger::Clock::time_point unusedSince{};  ///< set while nothing observes it
  std::vector<sdk::Address> addresses;
  std::unique_ptr<BlockingQuery> query;
};

ConsulNamer::ConsulNamer(ConsulSettings settings, const sdk::NamerContext& context)
    : settings_(std::move(settings)),
      idPrefix_(context.idPrefix),
      host_(*context.host),
      link_(*context.host, settings_.agent),
      linger_(context.host->mainDispatcher(), [this] { return sweep(); }),
      dcStats_(context.host->stats().scope("dc")),
      serviceStats_(context.host->stats().scope("service")),
      lookups_(context.host->stats().counter("lookups")),
      updates_(context.host->stats().counter("updates")),
      errors_(context.host->stats().counter("errors")),
      watchRestarts_(context.host->stats().counter("watch_restarts")),
      dcOpens_(dcStats_->counter("opens")),
      dcUpdates_(dcStats_->counter("updates")),
      dcErrors_(dcStats_->counter("errors")),
      dcAdds_(dcStats_->counter("adds")),
      dcRemoves_(dcStats_->counter("removes")),
      serviceOpens_(serviceStats_->counter("opens")),
      serviceCloses_(serviceStats_->counter("closes")),
      serviceUpdates_(serviceStats_->counter("updates")),
      serviceErrors_(serviceStats_->counter("errors")),
      observers_([this](const Key& k) { return resolve(k); }, [this](const Key& k) { released(k); }, updates_) {}

ConsulNamer::~ConsulNamer() = default;

// --- lookups and observers -----------------------------------------------------------------

sdk::WatchPtr ConsulNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  lookups_.incr();
  const std::size_t length = settings_.includeTag ? 3 : 2;
  if (path.size() < length) {
    observer(sdk::NameActivity::ok(sdk::NameTree<sdk::Name>::neg()));
    return std::make_unique<NoWatch>();
  }
  SvcKey key{lower(path[length - 1]), settings_.includeTag ? std::optional<std::string>(lower(path[1])) : std::nullopt};
  return observers_.add(Key{path[0], key}, idPrefix_.concat(path.take(length)), path.drop(length), std::move(observer));
}

void ConsulNamer::released(const Key& key) {
  auto dc = resolvedDc_.find(key);
  if (dc == resolvedDc_.end()) return;
  ServiceRef ref{dc->second, key.second};
  resolvedDc_.erase(dc);
  releaseServiceIfUnused(ref);
}

bool ConsulNamer::observed(const ServiceRef& ref) const {
  for (const std::string& written : {ref.first, std::string(".local")}) {
    auto it = resolvedDc_.find({written, ref.second});
    if (it != resolvedDc_.end() && it->second == ref.first) return true;
  }
  return false;
}

void ConsulNamer::releaseServiceIfUnused(const ServiceRef& ref) {
  if (observed(ref)) return;
  if (auto s = services_.find(ref); s != services_.end()) linger_.unused(s->second->unusedSince);
  for (const auto& [key, dc] : resolvedDc_) {
    if (dc == ref.first) return;
  }
  if (auto d = datacenters_.find(ref.first); d != datacenters_.end()) linger_.unused(d->second->unusedSince);
}

bool ConsulNamer::sweep() {
  auto now = Linger::Clock::now();
  bool lingering = false;
  for (auto it = services_.begin(); it != services_.end();) {
    if (Linger::expired(it->second->unusedSince, now)) {
      it = services_.erase(it);
      serviceCloses_.incr();
    } else {
      lingering |= Linger::lingering(it->second->unusedSince);
      ++it;
    }
  }
  for (auto it = datacenters_.begin(); it != datacenters_.end();) {
    bool hasServices = false;
    for (const auto& [ref, service] : services_) hasServices |= ref.first == it->first;
    if (Linger::expired(it->second->unusedSince, now) && !hasServices) {
      it = datacenters_.erase(it);
    } else {
      lingering |= Linger::lingering(it->second->unusedSince);
      ++it;
    }
  }
  return lingering;
}

discovery::Resolution ConsulNamer::resolve(const Key& key) {
  using discovery::Resolution;
  std::string dc = key.first;
  if (needsAgent(dc)) {
    startAgentQuery();
    if (!agentSelf_) {
      if (agentError_.empty()) return Resolution::pending();
      return Resolution::failed("consul agent at " + settings_.agent.show() + " (/v1/agent/self): " + agentError_);
    }
    if (dc == ".local") dc = agentSelf_->datacenter;
  }
  if (auto old = resolvedDc_.find(key); old != resolvedDc_.end() && old->second != dc) {
    // The agent moved datacenters (it restarted elsewhere): let go of the old one.
    ServiceRef previous{old->second, key.second};
    old->second = dc;
    releaseServiceIfUnused(previous);
  }
  resolvedDc_[key] = dc;
  Datacenter& d = datacenter(dc);
  Linger::used(d.unusedSince);
  if (d.phase == Phase::Pending) return Resolution::pending();
  if (d.phase == Phase::Failed) return Resolution::failed("consul datacenter '" + dc + "' service list: " + d.error);
  auto listed = d.services.find(key.second);
  if (d.phase == Phase::Missing || listed == d.services.end()) return Resolution::neg();
  Service& s = service({dc, key.second}, listed->second.first);
  Linger::used(s.unusedSince);
  switch (s.phase) {
    case Phase::Pending: return Resolution::pending();
    case Phase::Failed:
      return Resolution::failed("consul service '" + key.second.show() + "' in datacenter '" + dc + "': " + s.error);
    case Phase::Missing: return Resolution::neg();
    case Phase::Ok: break;
  }
  return Resolution::ok(s.addresses);
}

void ConsulNamer::notifyService(const ServiceRef& ref) {
  for (const std::string& written : {ref.first, std::string(".local")}) {
    Key key{written, ref.second};
    auto it = resolvedDc_.find(key);
    if (it != resolvedDc_.end() && it->second == ref.first) observers_.notify(key);
  }
}

void ConsulNamer::notifyDatacenter(const std::string& dc, const std::set<SvcKey>* onlyKeys) {
  if (onlyKeys) {
    for (const auto& key : *onlyKeys) notifyService({dc, key});
    return;
  }
  observers_.notifyIf([&](const Key& key) {
    auto it = resolvedDc_.find(key);
    return it != resolvedDc_.end() && it->second == dc;
  });
}

// --- watches -------------------------------------------------------------------------------

bool ConsulNamer::needsAgent(const std::string& dcWritten) const { return dcWritten == ".local" || settings_.setHost; }

void ConsulNamer::startAgentQuery() {
  if (agentQuery_) return;
  agentQuery_ = std::make_unique<BlockingQuery>(
      link_, [](const QueryOptions&) { return std::string("/v1/agent/self"); },
      [this](const std::string& body) { return onAgentAnswer(body); },
      [this](const QueryFailure& failure) {
        errors_.incr();
        bool first = agentError_.empty();
        agentError_ = failure.reason;
        if (first) {
          host_.logger().warning("consul agent at " + settings_.agent.show() + " unanswered: " + failure.reason +
                                 " (retrying)");
          observers_.notifyIf([](const Key&) { return true; });
        }
      },
      /*blocking=*/false);
  agentQuery_->start();
}

std::optional<std::string> ConsulNamer::onAgentAnswer(const std::string& body) {
  auto parsed = parseAgentSelf(body);
  if (!parsed.value) return "/v1/agent/self: " + parsed.error;
  agentSelf_ = std::move(parsed.value);
  agentError_.clear();
  host_.logger().info("consul agent's datacenter is '" + agentSelf_->datacenter + "', domain '" +
                      agentSelf_->domain + "'");
  observers_.notifyIf([](const Key&) { return true; });
  return std::nullopt;
}

ConsulNamer::Datacenter& ConsulNamer::datacenter(const std::string& name) {
  auto& slot = datacenters_[name];
  if (slot) return *slot;
  slot = std::make_unique<Datacenter>();
  dcOpens_.incr();
  slot->query = std::make_unique<BlockingQuery>(
      link_, [name](const QueryOptions& o) { return servicesTarget(name, o); },
      [this, name](const std::string& body) { return onServicesAnswer(name, body); },
      [this, name](const QueryFailure& failure) { onDatacenterFailure(name, failure); });
  slot->query->setRestartCounter(&watchRestarts_);
  slot->query->start();
  return *slot;
}

ConsulNamer::Service& ConsulNamer::service(const ServiceRef& ref, const std::string& consulName) {
  auto& slot = services_[ref];
  if (slot) return *slot;
  slot = std::make_unique<Service>();
  serviceOpens_.incr();
  const auto& spelled = datacenters_.at(ref.first)->services.at(ref.second);
  std::optional<std::string> tag = spelled.second;
  bool health = settings_.useHealthCheck;
  bool onlyPassing = settings_.healthStatuses == std::set<HealthStatus>{HealthStatus::Passing};
  std::string dc = ref.first;
  slot->query = std::make_unique<BlockingQuery>(
      link_, [dc, consulName, tag, health, onlyPassing](const QueryOptions& o) {
        return serviceNodesTarget(dc, consulName, tag, health, onlyPassing, o);
      },
      [this, ref](const std::string& body) { return onNodesAnswer(ref, body); },
      [this, ref](const QueryFailure& failure) { onServiceFailure(ref, failure); });
  slot->query->setRestartCounter(&watchRestarts_);
  slot->query->start();
  return *slot;
}

std::string ConsulNamer::authorityFor(const ServiceRef& ref) const {
  if (!settings_.setHost || !agentSelf_) return "";
  // Consul's DNS name for the service, which its instances may expect as their Host.
  return (ref.second.tag ? *ref.second.tag + "." : "") + ref.second.name + ".service." + ref.first + "." +
         agentSelf_->domain;
}

std::optional<std::string> ConsulNamer::onServicesAnswer(const std::string& dc, const std::string& body) {
  auto parsed = parseServices(body);
  if (!parsed.value) return "service list of datacenter '" + dc + "': " + parsed.error;
  Datacenter& d = *datacenters_.at(dc);
  std::map<SvcKey, std::pair<std::string, std::optional<std::string>>> next;
  for (const auto& [name, tags] : *parsed.value) {
    if (!settings_.includeTag) {
      next.emplace(SvcKey{lower(name), std::nullopt}, std::make_pair(name, std::nullopt));
      continue;
    }
    for (const auto& tag : tags) next.emplace(SvcKey{lower(name), lower(tag)}, std::make_pair(name, tag));
  }
  std::set<SvcKey> changed;
  for (const auto& [key, spelled] : d.services) {
    if (!next.count(key)) {
      changed.insert(key);
      dcRemoves_.incr();
    }
  }
  for (const auto& [key, spelled] : next) {
    auto old = d.services.find(key);
    if (old == d.services.end()) {
      changed.insert(key);
      dcAdds_.incr();
    } else if (old->second != spelled) {
      changed.insert(key);  // re-spelled: its watch must ask for the new spelling
      if (services_.erase({dc, key})) serviceCloses_.incr();
    }
  }
  bool wholeList = d.phase != Phase::Ok;
  if (d.failuresInRow > 0) host_.logger().info("consul datacenter '" + dc + "' answers again");
  d.phase = Phase::Ok;
  d.answered = true;
  d.error.clear();
  d.failuresInRow = 0;
  d.services = std::move(next);
  dcUpdates_.incr();
  for (const auto& key : changed) {
    if (!d.services.count(key) && services_.erase({dc, key})) serviceCloses_.incr();
  }
  notifyDatacenter(dc, wholeList ? nullptr : &changed);
  return std::nullopt;
}

void ConsulNamer::onDatacenterFailure(const std::string& dc, const QueryFailure& failure) {
  dcErrors_.incr();
  errors_.incr();
  Datacenter& d = *datacenters_.at(dc);
  d.error = failure.reason;
  if (d.failuresInRow++ == 0) {
    host_.logger().warning("consul datacenter '" + dc + "' service list: " + failure.reason +
                           (d.answered ? " (keeping the last list; retrying)" : " (retrying)"));
  }
  if (failure.reason.find(kNoPathToDatacenter) != std::string::npos) {
    // Consul knows no such datacenter: its names are Neg until it appears.
    bool changed = d.phase != Phase::Missing;
    d.phase = Phase::Missing;
    d.answered = true;
    for (const auto& [key, spelled] : d.services) {
      if (services_.erase({dc, key})) serviceCloses_.incr();
    }
    d.services.clear();
    if (changed) notifyDatacenter(dc, nullptr);
    return;
  }
  if (d.answered || d.phase == Phase::Failed) return;  // the last good list stands
  d.phase = Phase::Failed;
  notifyDatacenter(dc, nullptr);
}

std::optional<std::string> ConsulNamer::onNodesAnswer(const ServiceRef& ref, const std::string& body) {
  auto parsed = settings_.useHealthCheck ? parseHealthNodes(body) : parseCatalogNodes(body);
  if (!parsed.value) return "instances of '" + ref.second.show() + "' in '" + ref.first + "': " + parsed.error;
  auto addresses = toAddresses(*parsed.value, settings_, authorityFor(ref));
  Service& s = *services_.at(ref);
  serviceUpdates_.incr();
  if (s.failuresInRow > 0) {
    host_.logger().info("consul service '" + ref.second.show() + "' in '" + ref.first + "' answers again");
  }
  bool changed = s.phase != Phase::Ok || s.addresses != addresses;
  s.phase = Phase::Ok;
  s.answered = true;
  s.error.clear();
  s.failuresInRow = 0;
  s.addresses = std::move(addresses);
  if (changed) notifyService(ref);
  return std::nullopt;
}

void ConsulNamer::onServiceFailure(const ServiceRef& ref, const QueryFailure& failure) {
  serviceErrors_.incr();
  errors_.incr();
  Service& s = *services_.at(ref);
  s.error = failure.reason;
  if (s.failuresInRow++ == 0) {
    host_.logger().warning("consul service '" + ref.second.show() + "' in '" + ref.first + "': " + failure.reason +
                           (s.answered ? " (keeping the last instances; retrying)" : " (retrying)"));
  }
  if (s.answered || s.phase == Phase::Failed) return;
  s.phase = Phase::Failed;
  notifyService(ref);
}

// --- admin ---------------------------------------------------------------------------------

std::string ConsulNamer::stateJson() const {
  std::string out = "{\"agent\":{\"host\":" + sdk::jsonQuote(settings_.agent.host) +
                    ",\"port\":" + std::to_string(settings_.agent.port);
  if (agentSelf_) {
    out += ",\"datacenter\":" + sdk::jsonQuote(agentSelf_->datacenter) +
           ",\"domain\":" + sdk::jsonQuote(agentSelf_->domain);
  }
  if (!agentError_.empty()) out += ",\"error\":" + sdk::jsonQuote(agentError_);
  if (agentQuery_) out += ",\"query\":" + agentQuery_->stateJson();
  out += "},\"datacenters\":{";
  bool first = true;
  for (const auto& [name, d] : datacenters_) {
    out += std::string(first ? "" : ",") + sdk::jsonQuote(name) + ":{\"state\":" +
           sdk::jsonQuote(phaseName(static_cast<int>(d->phase))) + ",\"services\":" +
           std::to_string(d->services.size()) + ",\"error\":" + (d->error.empty() ? "null" : sdk::jsonQuote(d->error)) +
           ",\"query\":" + d->query->stateJson() + "}";
    first = false;
  }
  out += "},\"services\":{";
  first = true;
  for (const auto& [ref, s] : services_) {
    out += std::string(first ? "" : ",") + sdk::jsonQuote("/" + ref.first + "/" + ref.second.show()) +
           ":{\"state\":" + sdk::jsonQuote(phaseName(static_cast<int>(s->phase))) + ",\"addresses\":[";
    for (std::size_t i = 0; i < s->addresses.size(); ++i) {
      const auto& a = s->addresses[i];
      out += std::string(i ? "," : "") + sdk::jsonQuote(a.host + ":" + std::to_string(a.port));
    }
    out += "],\"error\":" + (s->error.empty() ? std::string("null") : sdk::jsonQuote(s->error)) +
           ",\"query\":" + s->query->stateJson() + "}";
    first = false;
  }
  return out + "},\"observers\":" + std::to_string(observers_.observerCount()) + "}";
}

std::vector<sdk::Path> ConsulNamer::boundNames() const {
  std::vector<sdk::Path> out;
  for (const auto& [dc, d] : datacenters_) {
    if (d->phase != Phase::Ok) continue;
    for (const auto& [key, spelled] : d->services) {
      std::vector<std::string> elements{dc};
      if (key.tag) elements.push_back(*key.tag);
      elements.push_back(key.name);
      out.push_back(idPrefix_.concat(sdk::Path(std::move(elements))));
    }
  }
  return out;
}

}  // namespace ferry::plugins::namer::consul
