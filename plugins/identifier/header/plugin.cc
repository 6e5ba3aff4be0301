// io.l5d.header: the value of a header, read as a path, names the request: `/svc ++ value`.
//
//   identifier:
//     kind: io.l5d.header
//     header: l5d-name      # default

#include "ferry/sdk/identifier.h"

namespace ferry::plugins::identifier::header {
namespace {

class HeaderIdentifier final : public sdk::Identifier {
 public:
  HeaderIdentifier(sdk::Path prefix, std::string header) : prefix_(std::move(prefix)), header_(std::move(header)) {}
  sdk::Identification identify(const sdk::HttpRequestHead& request) const override {
    auto value = request.header(header_);
    if (!value || value->empty()) return sdk::Identification::unidentified(header_ + " header is absent or empty");
    auto path = sdk::Path::parse(*value);
    if (!path) return sdk::Identification::unidentified(header_ + " header is not a path: " + path.message());
    return sdk::Identification::identified(prefix_.concat(*path));
  }

 private:
  sdk::Path prefix_;
  std::string header_;
};

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.header"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return config.string("header", "").status(); }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto header = config.string("header", "l5d-name");
    if (!header) return header.status();
    return sdk::IdentifierPtr(std::make_unique<HeaderIdentifier>(ctx.dstPrefix, *header));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::header

// Static registration for io.l5d.header. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-header", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.header",
                                         ferry::plugins::identifier::header::kFactory))
