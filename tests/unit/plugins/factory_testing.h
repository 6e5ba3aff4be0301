#pragma once
// Factory tests: each plugin folder's factory, loaded from its real shared object, judges a
// config block as `ferry --validate-config` would: the factory's own verdict, then any key it
// left unread (the core refuses those). Each plugin folder has a factory_test.cc with a block
// its factory accepts and one it refuses, with the message.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/config/config_node.h"
#include "core/config/node_view.h"
#include "core/plugin/plugin_registry.h"
#include "ferry/sdk/plugin.h"

namespace ferry::testing {

/** The in-tree plugins, loaded once for the test program. */
inline const core::plugin::PluginRegistry& inTreePlugins() {
  static const auto registry = [] {
    auto r = std::make_shared<core::plugin::PluginRegistry>();
    for (const char* dir : {FERRY_PLUGIN_DIR, FERRY_EXAMPLE_PLUGIN_DIR}) {
      auto status = r->loadDirectory(dir);
      if (!status) ADD_FAILURE() << status.message();
    }
    return r;
  }();
  return *registry;
}

/**
 * What the core says of the block `yaml` (its keys, `kind` left out) for `category`/`kind`: ""
 * when it is accepted, else the factory's message, or the unknown keys, one per line.
 */
inline std::string verdict(const std::string& category, const std::string& kind, const std::string& yaml) {
  const auto* registered = inTreePlugins().find(category, kind);
  if (!registered) return "no plugin registers " + category + " kind '" + kind + "'";
  auto root = core::config::parseConfigText(yaml, "block.yaml");
  if (!root) return "bad test input: " + root.message();
  core::config::NodeView view(*root);
  auto status = registered->factory->validate(view);
  if (!status) return status.message();
  std::string unknown;
  for (const auto& line : core::config::unknownKeyErrors(**root)) unknown += (unknown.empty() ? "" : "\n") + line;
  return unknown;
}

}  // namespace ferry::testing
