// ferry: the command line. See `ferry --help`.

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include <boost/json.hpp>
#include <boost/program_options.hpp>

#include "core/config/linker_config.h"
#include "core/naming/delegator.h"
#include "core/plugin/plugin_registry.h"
#include "core/server/linker.h"
#include "core/util/log.h"

namespace po = boost::program_options;
using namespace ferry::core;

namespace {

constexpr const char* kVersion = "0.1.0";

constexpr const char* kUsage = R"(Usage:
  ferry [options] CONFIG                 run the router described by CONFIG (YAML or JSON; - reads stdin)
  ferry --validate-config CONFIG         check CONFIG without binding any port (exit 0 or 1)
  ferry --list-plugins                   list the plugin kinds found in the plugin directories
  ferry delegate --config CONFIG [--router LABEL] [--dtab DTAB] [--json] PATH
                                         show how PATH is resolved, without starting routers

Plugins are searched in each --plugin-dir, then in FERRY_PLUGIN_PATH (colon-separated), then in
<ferry binary>/../lib/ferry/plugins.

Options)";

int fail(const std::string& message) {
  std::cerr << "ferry: " << message << "\n";
  return 1;
}

struct Loaded {
  std::shared_ptr<plugin::PluginRegistry> registry;
  config::LinkerConfig config;
};

ferry::sdk::Result<std::shared_ptr<plugin::PluginRegistry>> loadRegistry(const std::vector<std::string>& dirs) {
  auto path = plugin::pluginSearchPath(dirs, std::getenv("FERRY_PLUGIN_PATH"));
  if (!path) return path.status();
  return plugin::loadPlugins(*path);
}

ferry::sdk::Result<Loaded> loadAll(const std::string& file, const std::vector<std::string>& dirs) {
  auto registry = loadRegistry(dirs);
  if (!registry) return registry.status();
  auto root = config::loadConfigFile(file);
  if (!root) return root.status();
  auto cfg = config::parseLinkerConfig(*root, **registry);
  if (!cfg) return cfg.status();
  return Loaded{*registry, std::move(cfg).value()};
}

int listPlugins(const std::vector<std::string>& dirs) {
  auto registry = loadRegistry(dirs);
  if (!registry) return fail(registry.message());
  std::printf("%-20s %-32s %-8s %s\n", "CATEGORY", "KIND", "ABI", "FILE");
  for (const auto* k : (*registry)->all()) {
    std::string abi = k->library ? std::to_string(k->library->abiMajor) + "." + std::to_string(k->library->abiMinor) : "-";
    std::printf("%-20s %-32s %-8s %s\n", k->category.c_str(), k->kind.c_str(), abi.c_str(),
                k->library ? k->library->path.c_str() : "(builtin)");
  }
  return 0;
}

int delegateCommand(int argc, char** argv) {
  po::options_description opts("ferry delegate");
  std::vector<std::string> dirs;
  opts.add_options()("help,h", "this text")("config", po::value<std::string>(), "config file")(
      "router", po::value<std::string>(), "router label (default: the first router)")(
      "dtab", po::value<std::string>()->default_value(""), "extra dtab entries, as l5d-dtab")(
      "json", "print the /delegator.json document")("plugin-dir", po::value(&dirs)->composing(), "plugin directory")(
      "path", po::value<std::string>(), "the path to delegate");
  po::positional_options_description pos;
  pos.add("path", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (vm.count("help") || !vm.count("config") || !vm.count("path")) {
    std::cerr << "Usage: ferry delegate --config CONFIG [--router LABEL] [--dtab DTAB] [--json] PATH\n" << opts;
    return vm.count("help") ? 0 : 1;
  }
  auto loaded = loadAll(vm["config"].as<std::string>(), dirs);
  if (!loaded) return fail(loaded.message());
  const config::RouterConfig* router = &loaded->config.routers.front();
  if (vm.count("router")) {
    router = nullptr;
    for (const auto& r : loaded->config.routers) {
      if (r.label == vm["router"].as<std::string>()) router = &r;
    }
    if (!router) return fail("no router labelled '" + vm["router"].as<std::string>() + "'");
  }
  auto path = ferry::sdk::Path::parse(vm["path"].as<std::string>());
  if (!path) return fail(path.message());
  auto extra = naming::Dtab::parse(vm["dtab"].as<std::string>());
  if (!extra) return fail("invalid --dtab: " + extra.message());
  naming::Dtab dtab = router->dtab.concat(*extra);
  server::Linker linker(std::move(loaded->config), loaded->registry, server::LinkerOptions{1});
  if (auto s = linker.startNaming(); !s) return fail(s.message());
  auto tree = naming::delegate(linker.namers(), dtab, *path);
  if (vm.count("json")) {
    std::cout << boost::json::serialize(tree) << "\n";
  } else {
    std::cout << naming::delegationText(tree);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "delegate") return delegateCommand(argc - 1, argv + 1);

  std::vector<std::string> dirs;
  po::options_description opts(kUsage);
  opts.add_options()("help,h", "show this help")("version", "print the version")(
      "validate-config", po::value<std::string>(), "validate a config file and exit")(
      "list-plugins", "list available plugins and exit")("plugin-dir", po::value(&dirs)->composing(),
                                                        "add a plugin directory (repeatable)")(
      "workers", po::value<unsigned>(), "worker threads (default: the number of cores)")(
      "log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warning, error or off")(
      "config", po::value<std::string>(), "config file (also the first positional argument)");
  po::positional_options_description pos;
  pos.add("config", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return fail(std::string(e.what()) + " (see ferry --help)");
  }
  if (vm.count("help")) {
    std::cout << opts << "\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << "ferry " << kVersion << " (plugin ABI " << FERRY_SDK_ABI_MAJOR << "." << FERRY_SDK_ABI_MINOR << ", "
              << FERRY_SDK_BUILD_SIGNATURE << ")\n";
    return 0;
  }
  ferry::sdk::LogLevel level;
  if (!util::parseLogLevel(vm["log-level"].as<std::string>(), &level)) {
    return fail("unknown --log-level '" + vm["log-level"].as<std::string>() + "'");
  }
  util::setLogLevel(level);
  if (vm.count("list-plugins")) return listPlugins(dirs);

  if (vm.count("validate-config")) {
    auto loaded = loadAll(vm["validate-config"].as<std::string>(), dirs);
    if (!loaded) return fail("invalid config:\n" + loaded.message());
    std::cout << vm["validate-config"].as<std::string>() << ": OK (" << loaded->config.routers.size() << " router(s), "
              << loaded->config.namers.size() << " namer(s))\n";
    return 0;
  }
  if (!vm.count("config")) {
    std::cerr << "ferry: no config file given\n\n" << opts << "\n";
    return 1;
  }
  auto started = std::chrono::steady_clock::now();
  auto loaded = loadAll(vm["config"].as<std::string>(), dirs);
  if (!loaded) return fail("invalid config:\n" + loaded.message());
  std::size_t workers = vm.count("workers") ? vm["workers"].as<unsigned>() : std::thread::hardware_concurrency();
  if (workers == 0) workers = 1;
  server::Linker linker(std::move(loaded->config), loaded->registry, server::LinkerOptions{workers});
  if (auto s = linker.start(); !s) return fail(s.message());
  loaded->registry->releaseLibraries();
  auto ms = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  util::logLine(ferry::sdk::LogLevel::Info, "linker",
                "ready in " + std::to_string(ms / 1000.0) + " ms with " + std::to_string(workers) + " worker(s)");
  return linker.run();
}
