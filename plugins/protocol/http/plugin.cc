// Registration of `protocol: http`.

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/http/http_protocol.h"

namespace ferry::plugins::protocol::http {
namespace {

/** Reads a KB limit key into bytes. */
sdk::Status readKb(const sdk::ConfigView& view, const char* key, std::size_t* bytes) {
  auto kb = view.integer(key, static_cast<int64_t>(*bytes / 1024));
  if (!kb) return kb.status();
  if (*kb < 1 || *kb > 1024 * 1024) return sdk::Status::error(view.location() + ": " + key + " must be between 1 and 1048576");
  *bytes = static_cast<std::size_t>(*kb) * 1024;
  return sdk::Status::ok();
}

/** Linkerd http keys Ferry has not implemented yet: refused by name rather than ignored. */
sdk::Status refuseUnsupported(const sdk::ConfigView& view, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (auto c = view.child(k)) {
      return sdk::Status::error(c->location() + ": '" + k +
                                "' is a Linkerd http setting that Ferry does not support yet; remove it to run");
    }
  }
  return sdk::Status::ok();
}

/**
 *   routers:
 *   - protocol: http
 *     maxHeadersKB: 8          # request head limit (431 beyond)
 *     maxInitialLineKB: 4      # request line limit (414 beyond)
 *     servers:
 *     - port: 4140
 *       maxCallDepth: 1000     # Via entries allowed before a request is refused as a loop
 */
class HttpProtocolFactory final : public sdk::ProtocolFactory {
 public:
  const char* kind() const override { return "http"; }
  uint16_t defaultPort() const override { return 4140; }
  const char* defaultIdentifier() const override { return "io.l5d.header.token"; }

  sdk::Status validate(const sdk::ConfigView& router) const override { return parse(router, nullptr); }

  sdk::Result<sdk::ProtocolPtr> create(const sdk::ConfigView& router, sdk::HostContext&) const override {
    std::unique_ptr<HttpProtocol> protocol;
    auto s = parse(router, &protocol);
    if (!s) return s;
    return sdk::ProtocolPtr(std::move(protocol));
  }

 private:
  static sdk::Status parse(const sdk::ConfigView& router, std::unique_ptr<HttpProtocol>* out) {
    HttpSettings settings;
    if (auto s = readKb(router, "maxHeadersKB", &settings.limits.maxHeaders); !s) return s;
    if (auto s = readKb(router, "maxInitialLineKB", &settings.limits.maxInitialLine); !s) return s;
    if (auto s = refuseUnsupported(router, {"httpAccessLog", "httpAccessLogRollPolicy", "httpAccessLogAppend",
                                            "httpAccessLogRotateCount", "maxRequestKB", "maxResponseKB",
                                            "streamAfterContentLengthKB", "compressionLevel", "tracePropagator"});
        !s) {
      return s;
    }
    std::vector<ServerSettings> servers;
    auto list = router.child("servers");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      auto server = list->at(i);
      ServerSettings ss;
      auto depth = server->integer("maxCallDepth", static_cast<int64_t>(ss.maxCallDepth));
      if (!depth) return depth.status();
      if (*depth < 1) return sdk::Status::error(server->location() + ": maxCallDepth must be at least 1");
      ss.maxCallDepth = static_cast<std::size_t>(*depth);
      if (auto s = refuseUnsupported(*server, {"addForwardedHeader", "timestampHeader"}); !s) return s;
      servers.push_back(ss);
    }
    if (servers.empty()) servers.emplace_back();
    if (out) *out = std::make_unique<HttpProtocol>(settings, std::move(servers));
    return sdk::Status::ok();
  }
};

const HttpProtocolFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::protocol::http

// Static registration for `protocol: http`. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-protocol-http", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kProtocol, "http",
                                         ferry::plugins::protocol::http::kFactory))
