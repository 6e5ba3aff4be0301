// io.l5d.port: every endpoint's port becomes `port`: send to the peer linker's incoming router
// on the same host (linker-to-linker). Ids become /%/io.l5d.port/<port>/<id>.
//
//   interpreter:
//     transformers:
//     - kind: io.l5d.port
//       port: 4141

#include "ferry/sdk/transformer.h"

namespace ferry::plugins::transformer::port {
namespace {

class PortTransformer final : public sdk::Transformer {
 public:
  explicit PortTransformer(uint16_t port) : port_(port), prefix_(sdk::Path({"%", "io.l5d.port", std::to_string(port)})) {}
  sdk::NameTree<sdk::Name> transform(const sdk::NameTree<sdk::BoundName>& tree) const override {
    return sdk::transformLeaves(tree, [this](const sdk::BoundName& b) {
      sdk::BoundName out = b;
      out.id = prefix_.concat(b.id);
      for (auto& a : out.addr.addresses) a.port = port_;
      return sdk::NameTree<sdk::Name>::leaf(sdk::Name(std::move(out)));
    });
  }

 private:
  uint16_t port_;
  sdk::Path prefix_;
};

sdk::Result<uint16_t> readPort(const sdk::ConfigView& config) {
  auto p = config.requiredInteger("port");
  if (!p) return p.status();
  if (*p < 1 || *p > 65535) return sdk::Result<uint16_t>::failure(config.location() + ": port must be 1-65535");
  return static_cast<uint16_t>(*p);
}

class Factory final : public sdk::TransformerFactory {
 public:
  const char* kind() const override { return "io.l5d.port"; }
  sdk::Status validate(const sdk::ConfigView& config) const override { return readPort(config).status(); }
  sdk::Result<sdk::TransformerPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    auto p = readPort(config);
    if (!p) return p.status();
    return sdk::TransformerPtr(std::make_unique<PortTransformer>(*p));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::transformer::port

// Static registration for io.l5d.port. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-transformer-port", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kTransformer, "io.l5d.port",
                                         ferry::plugins::transformer::port::kFactory))
