// Registration of `protocol: h2`.

#include <string>
#include <vector>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/h2/h2_protocol.h"

namespace ferry::plugins::protocol::h2 {
namespace {

/** An optional unsigned setting within [min, max]. */
sdk::Status readSetting(const sdk::ConfigView& view, const char* key, int64_t min, int64_t max,
                        std::optional<uint32_t>* out) {
  if (!view.has(key)) return sdk::Status::ok();
  auto v = view.integer(key, 0);
  if (!v) return v.status();
  if (*v < min || *v > max) {
    return sdk::Status::error(view.location() + ": " + key + " must be between " + std::to_string(min) + " and " +
                              std::to_string(max));
  }
  *out = static_cast<uint32_t>(*v);
  return sdk::Status::ok();
}

/** The SETTINGS keys of a server block, or of the client block (which has no stream limit). */
sdk::Status readSessionSettings(const sdk::ConfigView& view, bool server, SessionSettings* s) {
  std::string problems;
  auto note = [&](const sdk::Status& st) {
    if (!st) problems += (problems.empty() ? "" : "\n") + st.message();
  };
  std::optional<uint32_t> window, frame, streams;
  note(readSetting(view, "initialStreamWindowBytes", 1, 0x7fffffff, &window));
  note(readSetting(view, "maxFrameBytes", 16384, 16777215, &frame));
  if (server) note(readSetting(view, "maxConcurrentStreamsPerConnection", 1, 0x7fffffff, &streams));
  note(readSetting(view, "maxHeaderListBytes", 1, 0x7fffffff, &s->maxHeaderListBytes));
  note(readSetting(view, "headerTableBytes", 0, 0x7fffffff, &s->headerTableBytes));
  if (window) s->initialStreamWindowBytes = *window;
  if (frame) s->maxFrameBytes = *frame;
  if (streams) s->maxConcurrentStreams = *streams;
  if (view.has("windowUpdateRatio")) {
    auto ratio = view.number("windowUpdateRatio", s->windowUpdateRatio);
    if (!ratio) {
      note(ratio.status());
    } else if (*ratio <= 0 || *ratio >= 1) {
      note(sdk::Status::error(view.location() + ": windowUpdateRatio must be between 0 and 1, exclusive"));
    } else {
      s->windowUpdateRatio = *ratio;
    }
  }
  return problems.empty() ? sdk::Status::ok() : sdk::Status::error(problems);
}

/**
 *   routers:
 *   - protocol: h2
 *     identifier: {kind: io.l5d.header.path, segments: 1}   # gRPC: route by /pkg.Service
 *     pingIntervalMs: 30000   # Ferry: keep-alive PINGs on server and client connections (0: off)
 *     servers:
 *     - port: 4142
 *       maxConcurrentStreamsPerConnection: 1000  # SETTINGS_MAX_CONCURRENT_STREAMS (default 1000)
 *       initialStreamWindowBytes: 65535          # SETTINGS_INITIAL_WINDOW_SIZE
 *       maxFrameBytes: 16384                     # SETTINGS_MAX_FRAME_SIZE
 *       maxHeaderListBytes: 65536                # SETTINGS_MAX_HEADER_LIST_SIZE (431 beyond)
 *       headerTableBytes: 4096                   # SETTINGS_HEADER_TABLE_SIZE
 *       windowUpdateRatio: 0.99                  # WINDOW_UPDATE once the window is down to 99%
 *       maxCallDepth: 1000                       # via entries allowed before a loop is refused
 *       addForwardedHeader: {by: {kind: router}, for: {kind: ip}}
 *     client:                                    # io.l5d.global: for every client
 *       initialStreamWindowBytes: 1048576        # the same SETTINGS keys, but no stream limit
 */
class H2ProtocolFactory final : public sdk::ProtocolFactory {
 public:
  const char* kind() const override { return "h2"; }
  uint16_t defaultPort() const override { return 4142; }
  const char* defaultIdentifier() const override { return "io.l5d.header.token"; }
  const char* defaultResponseClassifier() const override { return "io.l5d.h2.nonRetryable5XX"; }
  const char* alpnProtocol() const override { return "h2"; }

  sdk::Status validate(const sdk::ConfigView& router) const override { return parse(router, nullptr); }

  sdk::Result<sdk::ProtocolPtr> create(const sdk::ConfigView& router, sdk::HostContext&) const override {
    std::unique_ptr<H2Protocol> protocol;
    auto s = parse(router, &protocol);
    if (!s) return s;
    return sdk::ProtocolPtr(std::move(protocol));
  }

 private:
  /** Reads every key it knows and reports every problem, not just the first. */
  static sdk::Status parse(const sdk::ConfigView& router, std::unique_ptr<H2Protocol>* out) {
    std::vector<std::string> problems;
    auto note = [&](const sdk::Status& s) {
      if (!s) problems.push_back(s.message());
    };
    note(router.refuseUnsupported({"h2AccessLog", "h2AccessLogRollPolicy", "h2AccessLogAppend",
                                   "h2AccessLogRotateCount", "tracePropagator", "loggers"},
                                  "h2 router"));
    std::chrono::milliseconds ping = SessionSettings{}.pingInterval;
    if (router.has("pingIntervalMs")) {
      auto ms = router.integer("pingIntervalMs", 0);
      if (!ms) note(ms.status());
      else if (*ms < 0) note(sdk::Status::error(router.location() + ": pingIntervalMs must be 0 (off) or more"));
      else ping = std::chrono::milliseconds(*ms);
    }
    auto routerLabel = router.string("label", "h2");
    std::string label = routerLabel ? *routerLabel : "h2";
    std::vector<ServerSettings> servers;
    auto list = router.child("servers");
    for (std::size_t i = 0; list && i < list->size(); ++i) {
      auto server = list->at(i);
      ServerSettings ss;
      ss.session.maxConcurrentStreams = 1000;  // Linkerd's h2 server default
      ss.session.pingInterval = ping;
      note(readSessionSettings(*server, true, &ss.session));
      note(server->refuseUnsupported({"forwardClientCert", "requestAuthorizers", "timestampHeader"}, "h2 server"));
      note(common::http::parseServerHeaderSettings(*server, label, &ss.headers));
      note(common::http::parseServerLimits(*server, &ss.limits));
      servers.push_back(ss);
    }
    SessionSettings client;
    client.pingInterval = ping;
    if (auto block = router.child("client")) {
      // io.l5d.global (the default): the keys sit in the block. io.l5d.static: per prefix, which
      // would need per-client codec settings; refused by name until then.
      auto kind = block->string("kind", "io.l5d.global");
      if (kind && *kind == "io.l5d.static") {
        auto configs = block->child("configs");
        for (std::size_t i = 0; configs && i < configs->size(); ++i) {
          note(configs->at(i)->refuseUnsupported({"initialStreamWindowBytes", "maxFrameBytes", "maxHeaderListBytes",
                                                  "headerTableBytes", "windowUpdateRatio"},
                                                 "h2 client, per prefix"));
        }
      } else {
        note(readSessionSettings(*block, false, &client));
      }
    }
    if (!problems.empty()) {
      std::string all;
      for (const auto& p : problems) all += (all.empty() ? "" : "\n") + p;
      return sdk::Status::error(all);
    }
    if (servers.empty()) {
      servers.emplace_back();
      servers.back().session.maxConcurrentStreams = 1000;
      servers.back().session.pingInterval = ping;
    }
    if (out) *out = std::make_unique<H2Protocol>(std::move(servers), client);
    return sdk::Status::ok();
  }
};

const H2ProtocolFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::protocol::h2

// Static registration for `protocol: h2`. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-protocol-h2", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kProtocol, "h2", ferry::plugins::protocol::h2::kFactory))
