// io.l5d.header.token: names a request by one header's value, as a single path segment.
//
//   identifier:
//     kind: io.l5d.header.token
//     header: Host            # default: Host (http), :authority (h2)
//
// The value is not lower-cased and a `:port` stays in it (Linkerd 1.x docs: identifiers).

#include "ferry/sdk/identifier.h"

namespace ferry::plugins::identifier::header_token {
namespace {

class HeaderTokenIdentifier final : public sdk::Identifier {
 public:
  HeaderTokenIdentifier(sdk::Path prefix, std::string header) : prefix_(std::move(prefix)), header_(std::move(header)) {}
  sdk::Identification identify(const sdk::HttpRequestHead& request) const override {
    auto value = request.header(header_);
    if (!value || value->empty()) return sdk::Identification::unidentified(header_ + " header is absent or empty");
    return sdk::Identification::identified(prefix_.append(std::string(*value)));
  }

 private:
  sdk::Path prefix_;
  std::string header_;
};

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.header.token"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return config.string("header", "").status(); }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto header = config.string("header", ctx.protocol == "h2" ? ":authority" : "Host");
    if (!header) return header.status();
    return sdk::IdentifierPtr(std::make_unique<HeaderTokenIdentifier>(ctx.dstPrefix, *header));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::header_token

// Static registration for io.l5d.header.token. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-header_token", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.header.token",
                                         ferry::plugins::identifier::header_token::kFactory))
