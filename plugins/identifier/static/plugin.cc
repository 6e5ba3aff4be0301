// io.l5d.static: every request gets the same name, `/svc ++ path`.
//
//   identifier:
//     kind: io.l5d.static
//     path: /web            # required

#include "ferry/sdk/identifier.h"

namespace ferry::plugins::identifier::static_name {
namespace {

class StaticIdentifier final : public sdk::Identifier {
 public:
  explicit StaticIdentifier(sdk::Path name) : name_(std::move(name)) {}
  sdk::Identification identify(const sdk::HttpRequestHead&) const override {
    return sdk::Identification::identified(name_);
  }

 private:
  sdk::Path name_;
};

sdk::Result<sdk::Path> configuredPath(const sdk::ConfigView& config) {
  auto text = config.requiredString("path");
  if (!text) return text.status();
  auto p = sdk::Path::parse(*text);
  if (!p) return sdk::Result<sdk::Path>::failure(config.location() + ": path: " + p.message());
  return p;
}

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.static"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return configuredPath(config).status(); }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto p = configuredPath(config);
    if (!p) return p.status();
    return sdk::IdentifierPtr(std::make_unique<StaticIdentifier>(ctx.dstPrefix.concat(*p)));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::static_name

// Static registration for io.l5d.static. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-static", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.static",
                                         ferry::plugins::identifier::static_name::kFactory))
