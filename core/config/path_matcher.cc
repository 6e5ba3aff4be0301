#include "core/config/path_matcher.h"

namespace ferry::core::config {

sdk::Result<PathMatcher> PathMatcher::parse(const std::string& text) {
  PathMatcher m;
  m.text_ = text;
  if (text.empty() || text[0] != '/') return sdk::Result<PathMatcher>::failure("prefix '" + text + "' must start with '/'");
  std::size_t start = 1;
  while (start < text.size()) {
    auto slash = text.find('/', start);
    std::string e = text.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    start = slash == std::string::npos ? text.size() : slash + 1;
    if (e.empty()) return sdk::Result<PathMatcher>::failure("prefix '" + text + "' has an empty element");
    Element el;
    if (e == "*") {
      el.kind = Element::Kind::Any;
    } else if (e.find('{') != std::string::npos) {
      el.kind = Element::Kind::Template;
      std::string re;
      std::size_t i = 0;
      while (i < e.size()) {
        if (e[i] == '{') {
          auto close = e.find('}', i);
          if (close == std::string::npos || close == i + 1) {
            return sdk::Result<PathMatcher>::failure("prefix '" + text + "': bad capture in '" + e + "'");
          }
          el.names.push_back(e.substr(i + 1, close - i - 1));
          re += "(.*)";
          i = close + 1;
        } else {
          if (std::string("\\^$.|?*+()[]{}").find(e[i]) != std::string::npos) re += '\\';
          re += e[i++];
        }
      }
      el.pattern = std::regex(re);
    } else {
      el.literal = e;
    }
    m.elements_.push_back(std::move(el));
  }
  return m;
}

bool PathMatcher::matches(const sdk::Path& path, std::map<std::string, std::string>* out) const {
  if (elements_.size() > path.size()) return false;
  std::map<std::string, std::string> captures;
  for (std::size_t i = 0; i < elements_.size(); ++i) {
    const auto& el = elements_[i];
    switch (el.kind) {
      case Element::Kind::Any:
        break;
      case Element::Kind::Literal:
        if (el.literal != path[i]) return false;
        break;
      case Element::Kind::Template: {
        std::smatch m;
        if (!std::regex_match(path[i], m, el.pattern)) return false;
        for (std::size_t k = 0; k < el.names.size(); ++k) captures[el.names[k]] = m[k + 1];
        break;
      }
    }
  }
  if (out) *out = std::move(captures);
  return true;
}

}  // namespace ferry::core::config
