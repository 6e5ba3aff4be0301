#pragma once
// The leading segments of a URL path, for the identifiers that name requests by path
// (io.l5d.path, io.l5d.header.path). Empty segments (`//`) are skipped, as Finagle's Path.read
// does. Header-only: each identifier plugin is its own .so.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::plugins::common::identifier {

/**
 * Up to `max` leading segments of `path` (no query string); `*end` receives the offset just past
 * the last one taken, where the rest of the path starts.
 */
inline std::vector<std::string> leadingSegments(std::string_view path, std::size_t max, std::size_t* end) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (out.size() < max && pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    auto slash = path.find('/', pos);
    out.emplace_back(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    pos = slash == std::string_view::npos ? path.size() : slash;
  }
  if (end) *end = pos;
  return out;
}

}  // namespace ferry::plugins::common::identifier
