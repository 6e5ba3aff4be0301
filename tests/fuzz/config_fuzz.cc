// libFuzzer harness: the config loader (core/config): YAML and JSON text (yaml-cpp reads both)
// into config nodes with their marks, the linker config's validation, the unknown-key report with
// its suggestions, /config.json and the YAML re-emission. The registry is empty (plugins are
// built apart and cannot load into a fuzzing build), so every `kind` is refused with its message:
// the harness covers the core's own keys and the parser, which is where bytes become structure.
#include <cstdint>
#include <string>

#include "core/config/config_node.h"
#include "core/config/linker_config.h"
#include "core/plugin/plugin_registry.h"

using namespace ferry::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const plugin::PluginRegistry kNoPlugins;
  std::string text(reinterpret_cast<const char*>(data), size);
  auto root = config::parseConfigText(text, "fuzz.yaml");
  if (!root) return 0;
  (void)config::configJson(**root);
  (void)config::emitYaml(**root);
  auto parsed = config::parseLinkerConfig(*root, kNoPlugins);
  (void)config::unknownKeyErrors(**root);
  (void)parsed;
  return 0;
}
