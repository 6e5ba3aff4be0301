#include "plugins/transformer/k8s_daemonset/daemonset_transformer.h"

#include <algorithm>

#include "plugins/common/k8s/node_keys.h"

namespace ferry::plugins::transformer::k8s_daemonset {

std::map<std::string, sdk::Address> gatewaysByNode(const kube::EndpointsObject& daemonset, const std::string& port,
                                                   bool hostNetwork) {
  std::map<std::string, sdk::Address> out;
  int number = 0;
  if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5) {
    number = std::stoi(port);
  }
  for (const auto& subset : daemonset.subsets) {
    int p = number;
    if (!p) {
      auto named = subset.ports.find(port);
      if (named == subset.ports.end()) continue;
      p = named->second;
    }
    for (const auto& pod : subset.addresses) {
      sdk::Address gateway;
      gateway.host = pod.ip;
      gateway.port = static_cast<uint16_t>(p);
      if (!pod.nodeName.empty()) gateway.meta["nodeName"] = pod.nodeName;
      std::string key = kube::nodeKey(gateway, hostNetwork);
      if (!key.empty()) out.emplace(std::move(key), std::move(gateway));
    }
  }
  return out;
}

/** Removes its listener when destroyed, unless the transformer is gone. */
class DaemonSetTransformer::ListenerHandle final : public sdk::Watch {
 public:
  ListenerHandle(const DaemonSetTransformer& t, uint64_t id, std::weak_ptr<bool> alive)
      : t_(t), id_(id), alive_(std::move(alive)) {}
  ~ListenerHandle() override {
    if (alive_.lock()) t_.listeners_.erase(id_);
  }

 private:
  const DaemonSetTransformer& t_;
  uint64_t id_;
  std::weak_ptr<bool> alive_;
};

DaemonSetTransformer::DaemonSetTransformer(DaemonSetSettings settings, sdk::HostContext& host)
    : settings_(std::move(settings)),
      host_(host),
      prefix_(sdk::Path({"%", "io.l5d.k8s.daemonset", settings_.ns, settings_.port, settings_.service})) {}

DaemonSetTransformer::~DaemonSetTransformer() { *alive_ = false; }

void DaemonSetTransformer::start() {
  kube::Selectors one{"", "metadata.name=" + settings_.service};
  std::string what = "io.l5d.k8s.daemonset: endpoints of " + settings_.ns + "/" + settings_.service + " at " +
                     settings_.api.show();
  kube::ListWatch::Hooks hooks;
  hooks.listTarget = [this, one] { return kube::listTarget(settings_.ns, "endpoints", one); };
  hooks.watchTarget = [this, one](const std::string& version) {
    return kube::watchTarget(settings_.ns, "endpoints", one, version, settings_.api.watchSeconds);
  };
  hooks.onList = [this, what](const std::string& body) -> std::pair<std::string, std::string> {
    auto parsed = kube::parseEndpointsList(body);
    if (!parsed.value) return {"", "endpoints list: " + parsed.error};
    std::map<std::string, sdk::Address> next;
    for (const auto& e : parsed.value->items) {
      if (e.name == settings_.service) next = gatewaysByNode(e, settings_.port, settings_.hostNetwork);
    }
    if (!error_.empty()) host_.logger().info(what + " listed again");
    bool changed = !listed_ || !error_.empty() || next != gateways_;
    listed_ = true;
    error_.clear();
    gateways_ = std::move(next);
    if (changed) this->changed();
    return {parsed.value->resourceVersion, ""};
  };
  hooks.onLine = [this](std::string_view line) {
    using Outcome = kube::ListWatch::LineOutcome;
    auto parsed = kube::parseEndpointsEvent(line);
    if (!parsed.value) return Outcome{Outcome::Kind::Refused, "", parsed.error};
    auto& e = *parsed.value;
    using Type = kube::WatchEvent<kube::EndpointsObject>::Type;
    if (e.type == Type::Error) {
      if (e.errorCode == 410) return Outcome{Outcome::Kind::Expired, "", ""};
      return Outcome{Outcome::Kind::Refused, "", "ERROR " + std::to_string(e.errorCode) + ": " + e.errorMessage};
    }
    Outcome out{Outcome::Kind::Applied, e.resourceVersion, ""};
    if (e.type == Type::Bookmark || e.object->name != settings_.service) return out;
    auto next = e.type == Type::Deleted ? std::map<std::string, sdk::Address>{}
                                        : gatewaysByNode(*e.object, settings_.port, settings_.hostNetwork);
    if (next != gateways_) {
      gateways_ = std::move(next);
      changed();
    }
    return out;
  };
  hooks.onFailure = [this, what](const std::string& why) {
    bool first = error_.empty();
    if (first) {
      host_.logger().warning(what + ": " + why + (listed_ ? " (keeping the last pods; retrying)" : " (retrying)"));
    }
    if (listed_) return;  // the last pods stand
    error_ = why;
    if (first) changed();  // waiting bindings now fail with the reason
  };
  watch_ = std::make_unique<kube::ListWatch>(host_, settings_.api, std::move(hooks));
  watch_->start();
}

void DaemonSetTransformer::changed() {
  // Listeners may come and go from their callbacks: call a copy, skipping those gone.
  std::weak_ptr<bool> alive = alive_;
  auto listeners = listeners_;
  for (auto& [id, fn] : listeners) {
    if (!alive.lock()) return;
    if (listeners_.count(id)) fn();
  }
}

sdk::WatchPtr DaemonSetTransformer::watchChanges(std::function<void()> onChange) const {
  uint64_t id = nextListener_++;
  listeners_[id] = std::move(onChange);
  return std::make_unique<ListenerHandle>(*this, id, alive_);
}

sdk::NameTree<sdk::Name> DaemonSetTransformer::transform(const sdk::NameTree<sdk::BoundName>& tree) const {
  return sdk::transformLeaves(tree, [this](const sdk::BoundName& b) {
    using Tree = sdk::NameTree<sdk::Name>;
    sdk::BoundName out{prefix_.concat(b.id), b.residual, {}};
    if (!listed_) {
      out.addr = sdk::AddrState::failed("io.l5d.k8s.daemonset: the pods of " + settings_.ns + "/" + settings_.service +
                                        " are not known: " + error_);
      return Tree::leaf(sdk::Name(std::move(out)));
    }
    if (b.addr.kind != sdk::AddrState::Kind::Bound) {
      out.addr = b.addr;
      return Tree::leaf(sdk::Name(std::move(out)));
    }
    std::vector<sdk::Address> addresses;
    for (const auto& a : b.addr.addresses) {
      auto gateway = gateways_.find(kube::nodeKey(a, settings_.hostNetwork));
      if (gateway != gateways_.end()) addresses.push_back(gateway->second);
    }
    std::sort(addresses.begin(), addresses.end());
    addresses.erase(std::unique(addresses.begin(), addresses.end(),
                                [](const sdk::Address& x, const sdk::Address& y) {
                                  return x.host == y.host && x.port == y.port;
                                }),
                    addresses.end());
    if (addresses.empty()) return Tree::neg();
    out.addr = sdk::AddrState::bound(std::move(addresses));
    return Tree::leaf(sdk::Name(std::move(out)));
  });
}

}  // namespace ferry::plugins::transformer::k8s_daemonset
