#pragma once
// PluginFactory and FERRY_PLUGIN_MANIFEST: how a shared object declares what it provides.
//
// Each extension point has three parts (docs/plugin-authoring.md): a factory registered under
// its kind, a config validated on the main thread, and instances made by the factory. A plugin
// library defines static factory objects and lists them once:
//
//   static const MyNamerFactory kFsFactory;   // kind "io.l5d.fs"
//   FERRY_PLUGIN_MANIFEST("ferry-namer-fs", "0.1.0",
//                         FERRY_PLUGIN_ENTRY("namer", "io.l5d.fs", kFsFactory))
//
// Factories must not throw: a problem is a Status naming what is wrong.

#include "ferry/sdk/abi.h"
#include "ferry/sdk/config.h"
#include "ferry/sdk/status.h"

namespace ferry::sdk {

/** Category names, as written in manifests and printed by `ferry --list-plugins`. */
namespace category {
inline constexpr const char* kNamer = "namer";
inline constexpr const char* kIdentifier = "identifier";
inline constexpr const char* kTransformer = "transformer";
inline constexpr const char* kLoadBalancer = "load_balancer";
inline constexpr const char* kResponseClassifier = "response_classifier";
inline constexpr const char* kProtocol = "protocol";
inline constexpr const char* kTelemeter = "telemeter";
}  // namespace category

/** The part every factory shares. */
class PluginFactory {
 public:
  virtual ~PluginFactory() = default;
  /** One of the `category::k*` names; must equal the manifest entry's category. */
  virtual const char* category() const = 0;
  /** The config kind, e.g. `io.l5d.fs`; must equal the manifest entry's kind. */
  virtual const char* kind() const = 0;
  /** Experimental kinds load only with `experimental: true` in their config block (Linkerd). */
  virtual bool experimental() const { return false; }
  /**
   * Checks a config block without side effects; used by `ferry --validate-config`. Must read
   * every key it accepts (unread keys are reported as unknown). Keys the core handles for the
   * whole category (`kind`, `prefix`, `experimental`, `transformers`) are already read.
   * Thread: main.
   */
  virtual Status validate(const ConfigView& config) const = 0;
};

}  // namespace ferry::sdk

/** One manifest entry: category name, kind string, and a static factory object. */
#define FERRY_PLUGIN_ENTRY(category_name, kind_name, factory_object) \
  ferry_manifest_entry { category_name, kind_name, static_cast<const void*>(static_cast<const ::ferry::sdk::PluginFactory*>(&(factory_object))) }

/** Defines the library's boot symbol. Use exactly once per shared object. */
#define FERRY_PLUGIN_MANIFEST(library_name, library_version, ...)                           \
  extern "C" __attribute__((visibility("default"))) const ferry_manifest*            \
  ferry_plugin_manifest() {                                                                  \
    static const ferry_manifest_entry kEntries[] = {__VA_ARGS__};                              \
    static const ferry_manifest kManifest = {                                         \
        sizeof(ferry_manifest), FERRY_SDK_ABI_MAJOR, FERRY_SDK_ABI_MINOR,             \
        FERRY_SDK_BUILD_SIGNATURE,     library_name,        library_version,                 \
        static_cast<uint32_t>(sizeof(kEntries) / sizeof(kEntries[0])), kEntries};            \
    return &kManifest;                                                                       \
  }
