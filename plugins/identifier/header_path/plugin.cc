// io.l5d.header.path: names a request by the path in a header, `:path` by default; the h2
// router's identifier for gRPC, where `:path` is `/pkg.Service/Method`.
//
//   identifier:
//     kind: io.l5d.header.path
//     header: ":path"   # default
//     segments: 1       # optional: only the first N segments (gRPC: route by service)
//
// The query string and a trailing `/` are removed; a path with fewer than `segments` segments,
// or an absent header, is not identified (Linkerd 1.x docs: identifiers).

#include <optional>

#include "ferry/sdk/identifier.h"
#include "plugins/common/identifier/path_segments.h"

namespace ferry::plugins::identifier::header_path {
namespace {

class HeaderPathIdentifier final : public sdk::Identifier {
 public:
  HeaderPathIdentifier(sdk::Path prefix, std::string header, std::optional<std::size_t> segments)
      : prefix_(std::move(prefix)), header_(std::move(header)), segments_(segments) {}

  sdk::Identification identify(const sdk::HttpRequestHead& request) const override {
    auto value = request.header(header_);
    if (!value || value->empty()) return sdk::Identification::unidentified(header_ + " header is absent or empty");
    std::string_view path = value->substr(0, value->find_first_of("?#"));
    auto elems = common::identifier::leadingSegments(path, segments_.value_or(SIZE_MAX), nullptr);
    if (segments_ && elems.size() < *segments_) {
      return sdk::Identification::unidentified(header_ + " " + std::string(path) + " has fewer than " +
                                               std::to_string(*segments_) + " segments");
    }
    return sdk::Identification::identified(prefix_.concat(sdk::Path(std::move(elems))));
  }

 private:
  sdk::Path prefix_;
  std::string header_;
  std::optional<std::size_t> segments_;
};

class Factory final : public sdk::IdentifierFactory {
 public:
  const char* kind() const override { return "io.l5d.header.path"; }
  sdk::Status validate(const sdk::ConfigView& config) const override {
    auto s = segments(config);
    if (!s) return s.status();
    return config.string("header", ":path").status();
  }
  sdk::Result<sdk::IdentifierPtr> create(const sdk::ConfigView& config, const sdk::IdentifierContext& ctx) const override {
    auto s = segments(config);
    if (!s) return s.status();
    auto header = config.string("header", ":path");
    if (!header) return header.status();
    return sdk::IdentifierPtr(std::make_unique<HeaderPathIdentifier>(ctx.dstPrefix, *header, *s));
  }

 private:
  static sdk::Result<std::optional<std::size_t>> segments(const sdk::ConfigView& config) {
    if (!config.has("segments")) return std::optional<std::size_t>();
    auto v = config.integer("segments", 1);
    if (!v) return v.status();
    if (*v < 1) {
      return sdk::Result<std::optional<std::size_t>>::failure(config.location() + ": segments must be at least 1");
    }
    return std::optional<std::size_t>(static_cast<std::size_t>(*v));
  }
};

const Factory kFactory;

}  // namespace
}  // namespace ferry::plugins::identifier::header_path

// Static registration for io.l5d.header.path. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-identifier-header_path", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kIdentifier, "io.l5d.header.path",
                                         ferry::plugins::identifier::header_path::kFactory))
