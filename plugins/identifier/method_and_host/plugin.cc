// io.l5d.methodAndHost: `/svc/1.1/<METHOD>/<host>[/<uri path>]` (Linkerd 1.x docs: identifiers).
//
//   identifier:
//     kind: io.l5d.methodAndHost
//     httpUriInDst: false     # append the URI path's segments (discouraged by Linkerd)
//
// HTTP/1.0 names carry no host: `/svc/1.0/<METHOD>[/<uri path>]`. A 1.1 request without Host is
// not identified. The host is lower-cased.

#include <algorithm>

#include "ferry/sdk/identifier.h"

namespace ferry::plugins::identifier::method_and_host {
namespace {

std::vector<std::string> segments(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    auto seg = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) out.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

class MethodAndHostIdentifier final : public sdk::Identifier {
 public:
  MethodAndHostIdentifier(sdk::Path prefix, bool uriInDst) : prefix_(std::move(prefix)), uriInDst_(uriInDst) {}
  sdk::Identification identify(const sdk::HttpRequestHead& req) const override {
    sdk::Path name;
    if (req.versionMajor == 1 && req.versionMinor == 0) {
      name = prefix_.append("1.0").append(req.method);
    } else {
      auto host = req.header("Host");
      if (!host || host->empty()) return sdk::Identification::unidentified("HTTP/1.1 request without a Host header");
      std::string lower(*host);
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      name = prefix_.append("1.1").append(req.method).append(lower);
    }
    if (uriInDst_) name = name.concat(sdk::Path(segments(req.path())));
    return sdk::Identification::identified(std::move(name));
  }

 private:
  sdk::Path prefix_;
  bool uriInDst_;
};

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.methodAndHost"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return config.boolean("httpUriInDst", false).status(); }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto uri = config.boolean("httpUriInDst", false);
    if (!uri) return uri.status();
    return sdk::IdentifierPtr(std::make_unique<MethodAndHostIdentifier>(ctx.dstPrefix, *uri));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::method_and_host

// Static registration for io.l5d.methodAndHost. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-method_and_host", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.methodAndHost",
                                         ferry::plugins::identifier::method_and_host::kFactory))
