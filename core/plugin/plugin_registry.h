#pragma once
// Plugin discovery and loading (docs/abi-policy.md, docs/plugin-authoring.md).
//
// Every `ferry-*.so` in the search path is loaded with Boost.DLL (RTLD_NOW | RTLD_LOCAL), its
// boot symbol called, its manifest checked (ABI major equal, minor not newer, struct large
// enough, build signature identical) and its entries registered by (category, kind). Any bad
// file is fatal, with a message naming the file and the reason. Libraries are never unloaded:
// everything made from a factory holds a reference to its library.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/dll/shared_library.hpp>

#include "ferry/sdk/plugin.h"

namespace ferry::core::plugin {

/** One loaded shared object. */
struct LoadedLibrary {
  std::string path;
  std::string name;
  std::string version;
  uint32_t abiMajor = 0;
  uint32_t abiMinor = 0;
  boost::dll::shared_library library;
};
using LibraryPtr = std::shared_ptr<const LoadedLibrary>;

/** One (category, kind) and where it came from. */
struct RegisteredKind {
  std::string category;
  std::string kind;
  const sdk::PluginFactory* factory = nullptr;
  LibraryPtr library;  ///< null for kinds compiled into the binary
};

/** The categories the SDK defines, in display order. */
const std::vector<std::string>& knownCategories();

class PluginRegistry {
 public:
  /** Loads every `ferry-*.so` in `directory`, in name order. */
  sdk::Status loadDirectory(const std::string& directory);
  /** Loads one shared object. */
  sdk::Status loadFile(const std::string& path);

  /** The kind, or nullptr. */
  const RegisteredKind* find(const std::string& category, const std::string& kind) const;
  /** Kinds registered for `category`, sorted. */
  std::vector<std::string> kinds(const std::string& category) const;
  /** "unknown <category> kind 'x'; available: a, b" (or "none are loaded; ..."). */
  std::string unknownKindMessage(const std::string& category, const std::string& kind) const;
  /** Every registered kind, sorted by category then kind. */
  std::vector<const RegisteredKind*> all() const;
  /**
   * Drops the registry's hold on every library once the linker has made all its plugin objects
   * (they hold their own library). Libraries the config does not use are unloaded, with what
   * they pulled in (nghttp2 for an http-only config): memory follows the config, not the
   * plugin directory. Afterwards find() answers null; kinds() still lists names.
   */
  void releaseLibraries();

 private:
  sdk::Status registerEntry(const ferry_manifest_entry& entry, const LibraryPtr& library);
  std::map<std::pair<std::string, std::string>, RegisteredKind> kinds_;
  std::vector<std::string> loadedPaths_;
  bool released_ = false;
};

/**
 * The directories to search, in order: each `--plugin-dir`, then each entry of
 * FERRY_PLUGIN_PATH (colon-separated), then `<exe dir>/../lib/ferry/plugins`. Directories named
 * explicitly must exist; the default one is skipped when absent. Duplicates are dropped.
 */
sdk::Result<std::vector<std::string>> pluginSearchPath(const std::vector<std::string>& cliDirs,
                                                       const char* envPath);

/** Builds a registry from the search path. */
sdk::Result<std::shared_ptr<PluginRegistry>> loadPlugins(const std::vector<std::string>& directories);

}  // namespace ferry::core::plugin
