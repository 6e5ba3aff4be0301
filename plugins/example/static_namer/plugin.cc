// Registration of com.example.staticNamer (docs/plugin-authoring.md includes this file).

#include "ferry/sdk/namer.h"
#include "static_namer.h"

namespace example {
namespace {

//[factory
/**
 *   namers:
 *   - kind: com.example.staticNamer
 *     services:
 *       web: 127.0.0.1:8080
 */
class StaticNamerFactory final : public ferry::sdk::NamerFactory {
 public:
  const char* kind() const override { return "com.example.staticNamer"; }

  // validate() and create() share one parser, so both read every key they accept.
  ferry::sdk::Status validate(const ferry::sdk::ConfigView& config) const override {
    return parse(config).status();
  }

  ferry::sdk::Result<ferry::sdk::NamerPtr> create(const ferry::sdk::ConfigView& config,
                                                  const ferry::sdk::NamerContext& context) const override {
    auto services = parse(config);
    if (!services) return services.status();
    return ferry::sdk::NamerPtr(std::make_unique<StaticNamer>(std::move(services).value(), context.idPrefix));
  }

 private:
  using Table = std::map<std::string, std::vector<ferry::sdk::Address>>;

  static ferry::sdk::Result<Table> parse(const ferry::sdk::ConfigView& config) {
    auto services = config.child("services");
    if (!services) return ferry::sdk::Result<Table>::failure(config.missing("services"));
    Table table;
    for (const auto& name : services->keys()) {
      auto value = services->child(name);
      auto text = value->asString();
      if (!text) return text.status();
      auto colon = text->rfind(':');
      int port = colon == std::string::npos ? 0 : std::atoi(text->c_str() + colon + 1);
      if (port < 1 || port > 65535) {
        return ferry::sdk::Result<Table>::failure(value->location() + ": expected host:port, got '" + *text + "'");
      }
      table[name].push_back(ferry::sdk::Address{text->substr(0, colon), static_cast<uint16_t>(port), 1.0, {}});
    }
    return table;
  }
};

const StaticNamerFactory kFactory;
//]

}  // namespace
}  // namespace example

//[manifest
// Static registration: the library's one exported symbol. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("example-static-namer", "1.0.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "com.example.staticNamer", example::kFactory))
//]
