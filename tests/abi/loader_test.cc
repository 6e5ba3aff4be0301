// The plugin loader against real shared objects: the in-tree plugins, and one fixture per
// failure mode. Each failure must be fatal and name the file and the reason.

#include <gtest/gtest.h>

#include "core/config/config_node.h"
#include "core/config/linker_config.h"
#include "core/plugin/plugin_registry.h"
#include "ferry/sdk/namer.h"

namespace ferry::core::plugin {
namespace {

std::string fixtureDir(const std::string& name) { return std::string(FERRY_FIXTURE_DIR) + "/" + name; }
std::string fixtureFile(const std::string& name) { return fixtureDir(name) + "/ferry-namer-fixture.so"; }

std::string loadError(const std::string& dir) {
  PluginRegistry registry;
  auto s = registry.loadDirectory(dir);
  EXPECT_FALSE(s) << dir << " loaded, but it should have failed";
  return s.message();
}

TEST(PluginLoaderTest, LoadsTheInTreePlugins) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadDirectory(FERRY_PLUGIN_DIR));
  const auto* fs = registry.find("namer", "io.l5d.fs");
  ASSERT_NE(fs, nullptr);
  EXPECT_NE(fs->library->path.find("ferry-namer-fs.so"), std::string::npos);
  EXPECT_EQ(fs->library->abiMajor, static_cast<uint32_t>(FERRY_SDK_ABI_MAJOR));
  EXPECT_NE(registry.find("protocol", "http"), nullptr);
  EXPECT_NE(registry.find("load_balancer", "p2c"), nullptr);
  EXPECT_NE(registry.find("identifier", "io.l5d.header.token"), nullptr);
}

TEST(PluginLoaderTest, AcceptsAGoodFixture) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadDirectory(fixtureDir("ok")));
  EXPECT_NE(registry.find("namer", "io.l5d.fixture"), nullptr);
}

TEST(PluginLoaderTest, WrongMajor) {
  EXPECT_EQ(loadError(fixtureDir("wrong_major")),
            "plugin " + fixtureFile("wrong_major") + ": ABI major version mismatch: plugin " +
                std::to_string(FERRY_SDK_ABI_MAJOR + 1) + "." + std::to_string(FERRY_SDK_ABI_MINOR) + ", host " +
                std::to_string(FERRY_SDK_ABI_MAJOR) + "." + std::to_string(FERRY_SDK_ABI_MINOR) +
                " (rebuild the plugin against this Ferry SDK)");
}

TEST(PluginLoaderTest, NewerMinor) {
  EXPECT_EQ(loadError(fixtureDir("newer_minor")),
            "plugin " + fixtureFile("newer_minor") + ": plugin needs ABI " + std::to_string(FERRY_SDK_ABI_MAJOR) + "." +
                std::to_string(FERRY_SDK_ABI_MINOR + 1) + " but this host provides " +
                std::to_string(FERRY_SDK_ABI_MAJOR) + "." + std::to_string(FERRY_SDK_ABI_MINOR) +
                " (upgrade Ferry or rebuild the plugin)");
}

TEST(PluginLoaderTest, SignatureMismatch) {
  EXPECT_EQ(loadError(fixtureDir("bad_signature")),
            "plugin " + fixtureFile("bad_signature") + ": build signature mismatch: plugin 'msvc-19;cxx-201703L', host '" +
                FERRY_SDK_BUILD_SIGNATURE + "' (build plugin and host with the same compiler and flags)");
}

TEST(PluginLoaderTest, MissingBootSymbol) {
  EXPECT_EQ(loadError(fixtureDir("missing_symbol")),
            "plugin " + fixtureFile("missing_symbol") + ": not a Ferry plugin: symbol 'ferry_plugin_manifest' not found");
}

TEST(PluginLoaderTest, TruncatedManifest) {
  EXPECT_EQ(loadError(fixtureDir("truncated")),
            "plugin " + fixtureFile("truncated") + ": manifest is 8 bytes, this host needs at least " +
                std::to_string(sizeof(ferry_manifest)));
}

TEST(PluginLoaderTest, InvalidKindString) {
  EXPECT_EQ(loadError(fixtureDir("bad_kind")),
            "plugin " + fixtureFile("bad_kind") + ": invalid kind name 'bad kind!' (letters, digits, '.', '_' and '-' only)");
}

TEST(PluginLoaderTest, UnknownCategory) {
  EXPECT_EQ(loadError(fixtureDir("bad_category")), "plugin " + fixtureFile("bad_category") + ": unknown category 'router'");
}

TEST(PluginLoaderTest, DuplicateKindAcrossFiles) {
  std::string dir = fixtureDir("duplicate");
  EXPECT_EQ(loadError(dir), "plugin " + dir + "/ferry-namer-fixture2.so: duplicate namer kind 'io.l5d.fixture', already provided by " +
                                dir + "/ferry-namer-fixture.so");
}

TEST(PluginLoaderTest, NotASharedObject) {
  std::string msg = loadError(fixtureDir("garbage"));
  EXPECT_EQ(msg.rfind("plugin " + fixtureDir("garbage") + "/ferry-namer-garbage.so: cannot load: ", 0), 0u) << msg;
  EXPECT_NE(msg.find("file too short"), std::string::npos) << msg;  // the loader's own words
}

TEST(PluginLoaderTest, SearchPathRejectsAMissingDirectory) {
  auto path = pluginSearchPath({"/nonexistent/plugins"}, nullptr);
  ASSERT_FALSE(path);
  EXPECT_EQ(path.message(), "plugin directory '/nonexistent/plugins' (--plugin-dir) does not exist");
  path = pluginSearchPath({}, "/also/missing");
  ASSERT_FALSE(path);
  EXPECT_EQ(path.message(), "plugin directory '/also/missing' (FERRY_PLUGIN_PATH) does not exist");
}

TEST(PluginLoaderTest, ExperimentalKindNeedsTheFlag) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadDirectory(fixtureDir("experimental")));
  ASSERT_TRUE(registry.loadDirectory(FERRY_PLUGIN_DIR));
  const std::string base = "routers:\n- protocol: http\n  servers: [{port: 0}]\nnamers:\n- kind: io.l5d.fixture\n";
  auto root = config::parseConfigText(base, "x.yaml");
  ASSERT_TRUE(root);
  auto parsed = config::parseLinkerConfig(*root, registry);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.message().find("x.yaml:5:3: namer kind 'io.l5d.fixture' is experimental; set 'experimental: true' to use it"),
            std::string::npos)
      << parsed.message();
  root = config::parseConfigText(base + "  experimental: true\n", "x.yaml");
  EXPECT_TRUE(config::parseLinkerConfig(*root, registry)) << "experimental: true should be accepted";
}

TEST(PluginLoaderTest, FactoryCreateFailureIsReported) {
  PluginRegistry registry;
  ASSERT_TRUE(registry.loadDirectory(fixtureDir("create_fails")));
  const auto* kind = registry.find("namer", "io.l5d.fixture");
  ASSERT_NE(kind, nullptr);
  auto root = config::parseConfigText("{}", "x.yaml");
  config::NodeView view(*root);
  auto made = static_cast<const sdk::NamerFactory*>(kind->factory)->create(view, sdk::NamerContext{});
  ASSERT_FALSE(made);
  EXPECT_EQ(made.message(), "fixture create failure");
}

}  // namespace
}  // namespace ferry::core::plugin
