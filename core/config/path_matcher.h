#pragma once
// PathMatcher: the prefixes of `io.l5d.static` client and service configs (Linkerd 1.x docs:
// client and service).
// Elements are literal, `*` (any one element), or templates with `{name}` captures
// (`{service}`, `{a}-{b}`: greedy, so `{a}-{b}` on `a-b-c` gives a=`a-b`, b=`c`). A matcher
// matches a path when it matches the path's first elements.

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "ferry/sdk/path.h"
#include "ferry/sdk/status.h"

namespace ferry::core::config {

class PathMatcher {
 public:
  static sdk::Result<PathMatcher> parse(const std::string& text);
  /** Whether `path` starts with a match; captures go to `out` when given. */
  bool matches(const sdk::Path& path, std::map<std::string, std::string>* out = nullptr) const;
  const std::string& text() const { return text_; }

 private:
  struct Element {
    enum class Kind { Literal, Any, Template } kind = Kind::Literal;
    std::string literal;
    std::regex pattern;
    std::vector<std::string> names;
  };
  std::string text_;
  std::vector<Element> elements_;
};

}  // namespace ferry::core::config
