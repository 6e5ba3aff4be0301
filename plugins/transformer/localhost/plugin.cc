// io.l5d.localhost and io.l5d.specificHost: keep only the endpoints on this host (the IPs of
// the local interfaces that are up) or on one given host. For the incoming router of
// linker-to-linker: a linker only forwards to services on its own machine. A set left empty
// becomes Neg. Ids become /%/io.l5d.localhost/<id> and /%/io.l5d.specificHost/<id>.
//
//   transformers:
//   - kind: io.l5d.localhost
//   - kind: io.l5d.specificHost
//     host: 192.0.2.10

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>

#include <set>

#include "ferry/sdk/transformer.h"

namespace ferry::plugins::transformer::localhost {
namespace {

/** Canonical text of an IP literal, or "" if `host` is not one. */
std::string canonicalIp(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  char out[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, host.c_str(), buf) == 1) return inet_ntop(AF_INET, buf, out, sizeof out);
  if (inet_pton(AF_INET6, host.c_str(), buf) == 1) return inet_ntop(AF_INET6, buf, out, sizeof out);
  return "";
}

class HostFilter final : public sdk::Transformer {
 public:
  HostFilter(std::set<std::string> ips, const char* kind) : ips_(std::move(ips)), prefix_(sdk::Path({"%", kind})) {}
  sdk::NameTree<sdk::Name> transform(const sdk::NameTree<sdk::BoundName>& tree) const override {
    return sdk::keepAddresses(tree, prefix_, [this](const sdk::Address& a) { return ips_.count(canonicalIp(a.host)) > 0; });
  }

 private:
  std::set<std::string> ips_;
  sdk::Path prefix_;
};

sdk::Result<std::set<std::string>> localIps() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return sdk::Result<std::set<std::string>>::failure("cannot list network interfaces");
  std::set<std::string> ips;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP)) continue;
    char out[INET6_ADDRSTRLEN];
    if (i->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, out, sizeof out);
      ips.insert(out);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, out, sizeof out);
      ips.insert(out);
    }
  }
  freeifaddrs(list);
  return ips;
}

class LocalhostFactory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return "io.l5d.localhost"; }
  sdk::Status validate(const sdk::ConfigView&) const override { return sdk::Status::ok(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView&, sdk::HostContext&) const override {
    auto ips = localIps();
    if (!ips) return ips.status();
    return sdk::TransformerPtr(std::make_unique<HostFilter>(std::move(ips).value(), "io.l5d.localhost"));
  }
};

sdk::Result<std::string> specificHost(const sdk::ConfigView& config) {
  auto host = config.requiredString("host");
  if (!host) return host;
  std::string ip = canonicalIp(*host);
  if (!ip.empty()) return ip;
  // A name: resolved once, at startup, as Linkerd does.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  addrinfo* res = nullptr;
  if (getaddrinfo(host->c_str(), nullptr, &hints, &res) != 0 || !res) {
    return sdk::Result<std::string>::failure(config.location() + ": cannot resolve host '" + *host + "'");
  }
  char out[INET6_ADDRSTRLEN];
  if (res->ai_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, out, sizeof out);
  } else {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr, out, sizeof out);
  }
  freeaddrinfo(res);
  return std::string(out);
}

class SpecificHostFactory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return "io.l5d.specificHost"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return config.requiredString("host").status(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    auto ip = specificHost(config);
    if (!ip) return ip.status();
    return sdk::TransformerPtr(std::make_unique<HostFilter>(std::set<std::string>{*ip}, "io.l5d.specificHost"));
  }
};

const LocalhostFactory kLocalhost;
const SpecificHostFactory kSpecificHost;

}  // namespace
}  // namespace ferry::plugins::transformer::localhost

// Static registration for io.l5d.localhost and io.l5d.specificHost (one library, two kinds).
// @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-transformer-localhost", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.localhost",
                                         ferry::plugins::transformer::localhost::kLocalhost),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.specificHost",
                                         ferry::plugins::transformer::localhost::kSpecificHost))
