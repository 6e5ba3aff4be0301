// io.l5d.replace and io.l5d.const: route somewhere else than the name resolved to.
// replace swaps every bound leaf for `path` but keeps Neg as Neg (validate a name with one
// namer, route it with another); const always answers `path`, even for Neg. The core binds
// `path` with the system namers, so it is typically /$/inet/<host>/<port>.
//
//   transformers:
//   - kind: io.l5d.replace
//     path: /$/inet/127.0.0.1/4141

#include "ferry/sdk/transformer.h"

namespace ferry::plugins::transformer::replace {
namespace {

class Replace final : public sdk::Transformer {
 public:
  Replace(sdk::Path path, bool keepNeg) : path_(std::move(path)), keepNeg_(keepNeg) {}
  sdk::NameTree<sdk::Name> transform(const sdk::NameTree<sdk::BoundName>& tree) const override {
    if (!keepNeg_) return sdk::NameTree<sdk::Name>::leaf(sdk::Name(path_));
    return sdk::transformLeaves(tree, [this](const sdk::BoundName&) { return sdk::NameTree<sdk::Name>::leaf(sdk::Name(path_)); });
  }

 private:
  sdk::Path path_;
  bool keepNeg_;
};

sdk::Result<sdk::Path> readPath(const sdk::ConfigView& config) {
  auto text = config.requiredString("path");
  if (!text) return text.status();
  auto p = sdk::Path::parse(*text);
  if (!p) return sdk::Result<sdk::Path>::failure(config.location() + ": path: " + p.message());
  return p;
}

template <bool KeepNeg>
class Factory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return KeepNeg ? "io.l5d.replace" : "io.l5d.const"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return readPath(config).status(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    auto p = readPath(config);
    if (!p) return p.status();
    return sdk::TransformerPtr(std::make_unique<Replace>(*p, KeepNeg));
  }
};

const Factory<true> kReplace;
const Factory<false> kConst;

}  // namespace
}  // namespace ferry::plugins::transformer::replace

// Static registration for io.l5d.replace and io.l5d.const. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-transformer-replace", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.replace",
                                         ferry::plugins::transformer::replace::kReplace),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.const",
                                         ferry::plugins::transformer::replace::kConst))
