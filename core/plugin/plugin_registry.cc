#include "core/plugin/plugin_registry.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include <boost/dll/runtime_symbol_info.hpp>

namespace ferry::core::plugin {
namespace fs = std::filesystem;

namespace {

// The manifest fields this host reads: everything up to and including `entries`.
constexpr uint32_t kMinManifestSize = sizeof(ferry_manifest);

std::string dlopenError(const std::string& path) {
  // Boost.DLL clears dlerror(); ask the loader again for its own words.
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h) {
    dlclose(h);
    return "unknown loader error";
  }
  const char* e = dlerror();
  return e ? e : "unknown loader error";
}

bool validKindString(const char* s) {
  if (!s || !*s) return false;
  for (const char* p = s; *p; ++p) {
    char c = *p;
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

const std::vector<std::string>& knownCategories() {
  static const std::vector<std::string> kCategories = {
      sdk::category::kNamer,        sdk::category::kIdentifier,         sdk::category::kTransformer,
      sdk::category::kLoadBalancer, sdk::category::kResponseClassifier, sdk::category::kProtocol,
      sdk::category::kTelemeter};
  return kCategories;
}

sdk::Status PluginRegistry::loadDirectory(const std::string& directory) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(directory, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.rfind("ferry-", 0) != 0 || entry.path().extension() != ".so") {
      continue;
    }
    files.push_back(fs::absolute(entry.path()).lexically_normal().string());
  }
  if (ec) return sdk::Status::error("plugin directory " + directory + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto s = loadFile(f);
    if (!s) return s;
  }
  return sdk::Status::ok();
}

sdk::Status PluginRegistry::loadFile(const std::string& path) {
  auto fail = [&](const std::string& why) { return sdk::Status::error("plugin " + path + ": " + why); };
  if (std::find(loadedPaths_.begin(), loadedPaths_.end(), path) != loadedPaths_.end()) {
    return sdk::Status::ok();
  }
  auto lib = std::make_shared<LoadedLibrary>();
  lib->path = path;
  std::error_code ec;
  lib->library.load(path, ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec) return fail("cannot load: " + dlopenError(path));
  if (!lib->library.has(FERRY_PLUGIN_BOOT_SYMBOL)) {
    return fail("not a Ferry plugin: symbol '" FERRY_PLUGIN_BOOT_SYMBOL "' not found");
  }
  auto boot = lib->library.get<const ferry_manifest*()>(FERRY_PLUGIN_BOOT_SYMBOL);
  const ferry_manifest* m = boot();
  if (!m) return fail("'" FERRY_PLUGIN_BOOT_SYMBOL "' returned no manifest");
  if (m->struct_size < kMinManifestSize) {
    return fail("manifest is " + std::to_string(m->struct_size) + " bytes, this host needs at least " +
                std::to_string(kMinManifestSize));
  }
  const std::string hostVersion =
      std::to_string(FERRY_SDK_ABI_MAJOR) + "." + std::to_string(FERRY_SDK_ABI_MINOR);
  const std::string pluginVersion = std::to_string(m->abi_major) + "." + std::to_string(m->abi_minor);
  if (m->abi_major != FERRY_SDK_ABI_MAJOR) {
    return fail("ABI major version mismatch: plugin " + pluginVersion + ", host " + hostVersion +
                " (rebuild the plugin against this Ferry SDK)");
  }
  if (m->abi_minor > FERRY_SDK_ABI_MINOR) {
    return fail("plugin needs ABI " + pluginVersion + " but this host provides " + hostVersion +
                " (upgrade Ferry or rebuild the plugin)");
  }
  const char* sig = m->build_signature ? m->build_signature : "";
  if (std::strcmp(sig, FERRY_SDK_BUILD_SIGNATURE) != 0) {
    return fail(std::string("build signature mismatch: plugin '") + sig + "', host '" +
                FERRY_SDK_BUILD_SIGNATURE + "' (build plugin and host with the same compiler and flags)");
  }
  lib->name = m->library_name ? m->library_name : "";
  lib->version = m->library_version ? m->library_version : "";
  lib->abiMajor = m->abi_major;
  lib->abiMinor = m->abi_minor;
  if (m->entry_count == 0 || !m->entries) return fail("manifest lists no kinds");
  LibraryPtr shared = lib;
  for (uint32_t i = 0; i < m->entry_count; ++i) {
    auto s = registerEntry(m->entries[i], shared);
    if (!s) return fail(s.message());
  }
  loadedPaths_.push_back(path);
  return sdk::Status::ok();
}

sdk::Status PluginRegistry::registerEntry(const ferry_manifest_entry& entry, const LibraryPtr& library) {
  const auto& cats = knownCategories();
  std::string category = entry.category ? entry.category : "";
  if (std::find(cats.begin(), cats.end(), category) == cats.end()) {
    return sdk::Status::error("unknown category '" + category + "'");
  }
  if (!validKindString(entry.kind)) {
    return sdk::Status::error("invalid kind name '" + std::string(entry.kind ? entry.kind : "") +
                              "' (letters, digits, '.', '_' and '-' only)");
  }
  std::string kind = entry.kind;
  const auto* factory = static_cast<const sdk::PluginFactory*>(entry.factory);
  if (!factory) return sdk::Status::error("kind '" + kind + "' has no factory");
  if (category != factory->category() || kind != factory->kind()) {
    return sdk::Status::error("manifest entry " + category + "/" + kind + " does not match its factory (" +
                              factory->category() + "/" + factory->kind() + ")");
  }
  auto key = std::make_pair(category, kind);
  if (auto it = kinds_.find(key); it != kinds_.end()) {
    std::string other = it->second.library ? it->second.library->path : "the ferry binary";
    return sdk::Status::error("duplicate " + category + " kind '" + kind + "', already provided by " + other);
  }
  kinds_.emplace(key, RegisteredKind{category, kind, factory, library});
  return sdk::Status::ok();
}

const RegisteredKind* PluginRegistry::find(const std::string& category, const std::string& kind) const {
  if (released_) return nullptr;
  auto it = kinds_.find(std::make_pair(category, kind));
  return it == kinds_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginRegistry::kinds(const std::string& category) const {
  std::vector<std::string> out;
  for (const auto& [key, value] : kinds_) {
    if (key.first == category) out.push_back(key.second);
  }
  return out;
}

std::string PluginRegistry::unknownKindMessage(const std::string& category, const std::string& kind) const {
  auto available = kinds(category);
  std::string msg = "unknown " + category + " kind '" + kind + "'; ";
  if (available.empty()) return msg + "no " + category + " plugins are loaded (see ferry --list-plugins)";
  msg += "available: ";
  for (std::size_t i = 0; i < available.size(); ++i) msg += (i ? ", " : "") + available[i];
  return msg;
}

void PluginRegistry::releaseLibraries() {
  for (auto& [key, kind] : kinds_) {
    kind.factory = nullptr;
    kind.library.reset();
  }
  released_ = true;
}

std::vector<const RegisteredKind*> PluginRegistry::all() const {
  std::vector<const RegisteredKind*> out;
  for (const auto& cat : knownCategories()) {
    for (const auto& [key, value] : kinds_) {
      if (key.first == cat) out.push_back(&value);
    }
  }
  return out;
}

sdk::Result<std::vector<std::string>> pluginSearchPath(const std::vector<std::string>& cliDirs,
                                                       const char* envPath) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& dir, bool required, const std::string& origin) -> sdk::Status {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      if (!required) return sdk::Status::ok();
      return sdk::Status::error("plugin directory '" + dir + "' (" + origin + ") does not exist");
    }
    std::string canonical = fs::canonical(dir, ec).string();
    if (seen.insert(canonical).second) out.push_back(canonical);
    return sdk::Status::ok();
  };
  for (const auto& d : cliDirs) {
    auto s = add(d, true, "--plugin-dir");
    if (!s) return s;
  }
  if (envPath && *envPath) {
    std::string env = envPath;
    std::size_t start = 0;
    while (start <= env.size()) {
      auto colon = env.find(':', start);
      std::string d = env.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
      if (!d.empty()) {
        auto s = add(d, true, "FERRY_PLUGIN_PATH");
        if (!s) return s;
      }
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
  }
  std::error_code ec;
  auto exe = boost::dll::program_location(ec);
  if (!ec) {
    auto s = add((fs::path(exe.string()).parent_path() / ".." / "lib" / "ferry" / "plugins").string(), false, "");
    if (!s) return s;
  }
  return out;
}

sdk::Result<std::shared_ptr<PluginRegistry>> loadPlugins(const std::vector<std::string>& directories) {
  auto registry = std::make_shared<PluginRegistry>();
  for (const auto& d : directories) {
    auto s = registry->loadDirectory(d);
    if (!s) return s;
  }
  return registry;
}

}  // namespace ferry::core::plugin
