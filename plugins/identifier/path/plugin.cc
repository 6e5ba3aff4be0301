// io.l5d.path: names a request by the first `segments` elements of its URL path.
//
//   identifier:
//     kind: io.l5d.path
//     segments: 2       # default 1
//     consume: true     # remove those segments from the URL sent on (default false)
//
// `/true/love/waits.php` with segments 2 and consume is named /svc/true/love and forwarded as
// `/waits.php`. A request with fewer segments is not identified (Linkerd 1.x docs: identifiers).

#include "ferry/sdk/identifier.h"
#include "plugins/common/identifier/path_segments.h"

namespace ferry::plugins::identifier::path {
namespace {

class PathIdentifier final : public sdk::Identifier {
 public:
  PathIdentifier(sdk::Path prefix, std::size_t segments, bool consume)
      : prefix_(std::move(prefix)), segments_(segments), consume_(consume) {}

  sdk::Identification identify(const sdk::HttpRequestHead& req) const override {
    std::string_view target = req.target;
    // Absolute-form targets route by their path too.
    if (!target.empty() && target[0] != '/') {
      auto scheme = target.find("://");
      auto slash = scheme == std::string_view::npos ? std::string_view::npos : target.find('/', scheme + 3);
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
    }
    auto queryAt = target.find_first_of("?#");
    std::string_view path = target.substr(0, queryAt);
    std::string_view rest = queryAt == std::string_view::npos ? std::string_view() : target.substr(queryAt);
    std::size_t pos = 0;
    auto taken = common::identifier::leadingSegments(path, segments_, &pos);
    if (taken.size() < segments_) {
      return sdk::Identification::unidentified("path " + std::string(path) + " has fewer than " +
                                               std::to_string(segments_) + " segments");
    }
    auto id = sdk::Identification::identified(prefix_.concat(sdk::Path(std::move(taken))));
    if (consume_) {
      std::string remaining(path.substr(pos));
      if (remaining.empty()) remaining = "/";
      id.rewrittenTarget = remaining + std::string(rest);
    }
    return id;
  }

 private:
  sdk::Path prefix_;
  std::size_t segments_;
  bool consume_;
};

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.path"; }
  sdk::Status validate(const sdk::ConfigView& config) const override {
    auto s = segments(config);
    if (!s) return s.status();
    return config.boolean("consume", false).status();
  }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto s = segments(config);
    if (!s) return s.status();
    auto consume = config.boolean("consume", false);
    if (!consume) return consume.status();
    return sdk::IdentifierPtr(std::make_unique<PathIdentifier>(ctx.dstPrefix, *s, *consume));
  }

 private:
  static sdk::Result<std::size_t> segments(const sdk::ConfigView& config) {
    auto v = config.integer("segments", 1);
    if (!v) return v.status();
    if (*v < 1) return sdk::Result<std::size_t>::failure(config.location() + ": segments must be at least 1");
    return static_cast<std::size_t>(*v);
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::path

// Static registration for io.l5d.path. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-path", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.path",
                                         ferry::plugins::identifier::path::kFactory))
