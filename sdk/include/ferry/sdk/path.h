#pragma once
// Path: a hierarchical name such as /svc/web or /#/io.l5d.fs/web (Linkerd 1.x docs: dtabs).

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/sdk/status.h"

namespace ferry::sdk {

/**
 * A sequence of non-empty byte-string elements, written `/a/b/c`; `/` is the empty path.
 * Value type: cheap to copy for the short names routing uses, compared element-wise.
 */
class Path {
 public:
  Path() = default;
  explicit Path(std::vector<std::string> elements) : elements_(std::move(elements)) {}

  /**
   * Parses the Finagle path syntax: `/` then labels of `[0-9A-Za-z_:.#$%-]` or `\xHH` escapes,
   * separated by `/`. `/` alone is the empty path. A trailing `/`, an empty element or any other
   * character is an error whose message gives the offending position.
   */
  static Result<Path> parse(std::string_view text);

  /** Prints the path back in the syntax `parse` accepts (bytes outside the label set as \xHH). */
  std::string show() const;

  /** True when `c` may appear unescaped in a label. */
  static bool isLabelChar(char c);

  const std::vector<std::string>& elements() const { return elements_; }
  std::size_t size() const { return elements_.size(); }
  bool empty() const { return elements_.empty(); }
  const std::string& operator[](std::size_t i) const { return elements_[i]; }

  /** Whole-element prefix test: /s is a prefix of /s/x but not of /s#/x. */
  bool startsWith(const Path& prefix) const;
  /** The path without its first `n` elements (empty when n >= size()). */
  Path drop(std::size_t n) const;
  /** The first `n` elements (the whole path when n >= size()). */
  Path take(std::size_t n) const;
  /** This path followed by `suffix`. */
  Path concat(const Path& suffix) const;
  /** This path followed by one element. */
  Path append(std::string element) const;

  friend bool operator==(const Path& a, const Path& b) { return a.elements_ == b.elements_; }
  friend bool operator!=(const Path& a, const Path& b) { return !(a == b); }
  friend bool operator<(const Path& a, const Path& b) { return a.elements_ < b.elements_; }

 private:
  std::vector<std::string> elements_;
};

}  // namespace ferry::sdk

template <>
struct std::hash<ferry::sdk::Path> {
  std::size_t operator()(const ferry::sdk::Path& p) const noexcept {
    std::size_t h = 1469598103934665603ull;
    for (const auto& e : p.elements()) {
      h ^= std::hash<std::string>{}(e) + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    }
    return h;
  }
};
