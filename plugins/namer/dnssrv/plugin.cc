// Registration of io.l5d.dnssrv, and its config block (Linkerd 1.7.5's keys).

#include <string>

#include "ferry/sdk/namer.h"
#include "plugins/namer/dnssrv/dnssrv_namer.h"

namespace ferry::plugins::namer::dnssrv {
namespace {

/**
 *   namers:
 *   - kind: io.l5d.dnssrv
 *     experimental: true            # required, as in Linkerd
 *     refreshIntervalSeconds: 5     # how often each observed name is looked up again
 *     dnsHosts: [ns0.example.org, 127.0.0.1:8600]   # default: the system's (/etc/resolv.conf)
 *
 * dnsHosts entries are host names or IP addresses, each with an optional port (Ferry's
 * addition: Consul's DNS interface answers on 8600); names are looked up once, when the
 * first lookup needs them, as Linkerd resolved them once at startup.
 */
sdk::Result<DnsSrvSettings> parseSettings(const sdk::ConfigView& config) {
  DnsSrvSettings s;
  std::string errors;
  auto add = [&errors](const std::string& e) { errors += (errors.empty() ? "" : "\n") + e; };
  auto refresh = config.integer("refreshIntervalSeconds", 5);
  if (!refresh) {
    add(refresh.message());
  } else if (*refresh < 1 || *refresh > 86400) {
    add(config.child("refreshIntervalSeconds")->location() + ": refreshIntervalSeconds must be 1-86400, got " +
        std::to_string(*refresh));
  } else {
    s.refreshInterval = std::chrono::seconds(*refresh);
  }
  if (auto hosts = config.child("dnsHosts")) {
    if (hosts->type() != sdk::ConfigView::Type::Sequence || hosts->size() == 0) {
      add(hosts->location() + ": dnsHosts must be a non-empty list of DNS servers (host or host:port)");
    } else {
      for (std::size_t i = 0; i < hosts->size(); ++i) {
        auto item = hosts->at(i);
        auto text = item->asString();
        if (!text) {
          add(text.message());
          continue;
        }
        sdk::DnsServer server;
        std::string error;
        if (!sdk::parseDnsServer(*text, server, error)) {
          add(item->location() + ": DNS server " + error);
          continue;
        }
        s.dnsHosts.push_back(*text);
      }
    }
  }
  // A lookup may take until the next one is due, and never more than 5 s (c-ares tries each
  // server twice, a second each).
  s.lookupTimeout = std::min<std::chrono::milliseconds>(s.refreshInterval, std::chrono::milliseconds(5'000));
  if (!errors.empty()) return sdk::Result<DnsSrvSettings>::failure(errors);
  return s;
}

class DnsSrvNamerFactory final : public sdk::NamerFactory {
 public:
  const char* kind() const override { return "io.l5d.dnssrv"; }
  bool experimental() const override { return true; }

  sdk::Status validate(const sdk::ConfigView& config) const override { return parseSettings(config).status(); }

  sdk::Result<sdk::NamerPtr> create(const sdk::ConfigView& config, const sdk::NamerContext& context) const override {
    auto settings = parseSettings(config);
    if (!settings) return settings.status();
    return sdk::NamerPtr(std::make_unique<DnsSrvNamer>(std::move(*settings), context));
  }
};

const DnsSrvNamerFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::namer::dnssrv

// Static registration for io.l5d.dnssrv. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-namer-dnssrv", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.dnssrv",
                                         ferry::plugins::namer::dnssrv::kFactory))
