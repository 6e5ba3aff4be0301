// Registration of io.l5d.fs.

#include <filesystem>

#include "ferry/sdk/namer.h"
#include "plugins/namer/fs/fs_namer.h"

namespace ferry::plugins::namer::fs {
namespace {

/**
 *   namers:
 *   - kind: io.l5d.fs
 *     rootDir: disco      # required: one file per service
 */
class FsNamerFactory final : public sdk::NamerFactory {
 public:
  const char* kind() const override { return "io.l5d.fs"; }

  sdk::Status validate(const sdk::ConfigView& config) const override { return rootDir(config).status(); }

  sdk::Result<sdk::NamerPtr> create(const sdk::ConfigView& config, const sdk::NamerContext& context) const override {
    auto dir = rootDir(config);
    if (!dir) return dir.status();
    auto namer = std::make_unique<FsNamer>(*dir, context);
    auto started = namer->start();
    if (!started) return started;
    return sdk::NamerPtr(std::move(namer));
  }

 private:
  static sdk::Result<std::string> rootDir(const sdk::ConfigView& config) {
    auto dir = config.requiredString("rootDir");
    if (!dir) return dir;
    std::error_code ec;
    if (!std::filesystem::is_directory(*dir, ec)) {
      return sdk::Result<std::string>::failure(config.location() + ": rootDir '" + *dir + "' is not a directory");
    }
    return dir;
  }
};

const FsNamerFactory kFactory;

}  // namespace
}  // namespace ferry::plugins::namer::fs

// Static registration for io.l5d.fs. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-namer-fs", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kNamer, "io.l5d.fs", ferry::plugins::namer::fs::kFactory))
