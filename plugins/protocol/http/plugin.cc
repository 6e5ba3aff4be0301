// Registration of `protocol: http`.

#include <string>
#include <vector>

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

/** An optional KB limit, in bytes. */
sdk::Status readOptionalKb(const sdk::ConfigView& view, const char* key, std::optional<uint64_t>* bytes) {
  if (!view.has(key)) return sdk::Status::ok();
  std::size_t b = 0;
  auto s = readKb(view, key, &b);
  if (s) *bytes = b;
  return s;
}

/**
 *   routers:
 *   - protocol: http
 *     maxHeadersKB: 8          # request head limit (431 beyond)
 *     maxInitialLineKB: 4      # request line limit (414 beyond)
 *     maxRequestKB: 5120       # optional: a larger Content-Length is refused with 413
 *     maxResponseKB: 5120      # optional: a larger response Content-Length fails with 502
 *     servers:
 *     - port: 4140
 *       maxCallDepth: 1000     # Via entries allowed before a request is refused as a loop
 *       addForwardedHeader: {by: {kind: router}, for: {kind: ip}}   # RFC 7239 Forwarded
 *       timestampHeader: X-Request-Start                           # arrival time, ms
 *       headerReadTimeoutMs: 10000   # a request head must arrive whole within this (408 beyond)
 *       serverSession: {idleTimeMs: 60000, lifeTimeMs: 3600000}    # idle / old connections closed
 */
class HttpProtocolFactory final : public sdk::ProtocolFactory {
 public:
  const char* kind() const override { return "http"; }
  uint16_t defaultPort() const override { return 4140; }
  const char* defaultIdentifier() const override { return "io.l5d.header.token"; }
  const char* defaultResponseClassifier() const override { return "io.l5d.http.nonRetryable5XX"; }
  const char* alpnProtocol() const override { return "http/1.1"; }

  sdk::Status validate(const sdk::ConfigView& router) const override { return parse(router, nullptr); }

  sdk::Result<sdk::ProtocolPtr> create(const sdk::ConfigView& router, sdk::HostContext&) const override {
    std::unique_ptr<HttpProtocol> protocol;
    auto s = parse(router, &protocol);
    if (!s) return s;
    return sdk::ProtocolPtr(std::move(protocol));
  }

 private:
  /** Reads every key it knows and reports every problem, not just the first. */
  static sdk::Status parse(const sdk::ConfigView& router, std::unique_ptr<HttpProtocol>* out) {
    std::vector<std::string> problems;
    auto note = [&](const sdk::Status& s) {
      if (!s) problems.push_back(s.message());
    };
    HttpSettings settings;
    note(readKb(router, "maxHeadersKB", &settings.limits.maxHeaders));
    note(readKb(router, "maxInitialLineKB", &settings.limits.maxInitialLine));
    note(readOptionalKb(router, "maxRequestKB", &settings.maxRequestBytes));
    note(readOptionalKb(router, "maxResponseKB", &settings.maxResponseBytes));
    note(router.refuseUnsupported({"httpAccessLog", "httpAccessLogRollPolicy", "httpAccessLogAppend",
                                    "httpAccessLogRotateCount", "streamAfterContentLengthKB", "compressionLevel",
                                    "tracePropagator"}, "http"));
    auto routerLabel = router.string("label", "http");
    std::string label = routerLabel ? *routerLabel : "http";
    std::vector<ServerSettings> servers;
    auto list = router.child("servers");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      auto server = list->at(i);
      ServerSettings ss;
      note(common::http::parseServerHeaderSettings(*server, label, &ss.headers));
      note(common::http::parseServerLimits(*server, &ss.limits));
      servers.push_back(ss);
    }
    if (!problems.empty()) {
      std::string all;
      for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
      return sdk::Status::error(all);
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
