// Path parsing and printing (Finagle's Path syntax, Linkerd 1.x docs: dtabs).

#include "ferry/sdk/path.h"

#include <cstdio>

namespace ferry::sdk {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Path::isLabelChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         c == ':' || c == '.' || c == '#' || c == '$' || c == '%' || c == '-';
}

Result<Path> Path::parse(std::string_view text) {
  auto fail = [&](std::size_t pos, const std::string& what) {
    return Result<Path>::failure("invalid path '" + std::string(text) + "' at offset " +
                                 std::to_string(pos) + ": " + what);
  };
  if (text.empty() || text[0] != '/') return fail(0, "a path must start with '/'");
  if (text.size() == 1) return Path();
  std::vector<std::string> elements;
  std::string current;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      if (current.empty()) return fail(i, i == text.size() ? "trailing '/'" : "empty element");
      elements.push_back(std::move(current));
      current.clear();
      continue;
    }
    char c = text[i];
    if (c == '\\') {
      if (i + 3 >= text.size()) return fail(i, "truncated \\x escape");
      if (text[i + 1] != 'x') return fail(i, "expected \\xHH");
      int hi = hexValue(text[i + 2]);
      int lo = hexValue(text[i + 3]);
      if (hi < 0 || lo < 0) return fail(i, "bad hex digits in \\x escape");
      current.push_back(static_cast<char>(hi * 16 + lo));
      i += 3;
      continue;
    }
    if (!isLabelChar(c)) return fail(i, std::string("unexpected character '") + c + "'");
    current.push_back(c);
  }
  return Path(std::move(elements));
}

std::string Path::show() const {
  if (elements_.empty()) return "/";
  std::string out;
  for (const auto& e : elements_) {
    out.push_back('/');
    for (char c : e) {
      if (isLabelChar(c)) {
        out.push_back(c);
      } else {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
        out += buf;
      }
    }
  }
  return out;
}

bool Path::startsWith(const Path& prefix) const {
  if (prefix.size() > size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != elements_[i]) return false;
  }
  return true;
}

Path Path::drop(std::size_t n) const {
  if (n >= size()) return Path();
  return Path(std::vector<std::string>(elements_.begin() + static_cast<long>(n), elements_.end()));
}

Path Path::take(std::size_t n) const {
  if (n >= size()) return *this;
  return Path(std::vector<std::string>(elements_.begin(), elements_.begin() + static_cast<long>(n)));
}

Path Path::concat(const Path& suffix) const {
  std::vector<std::string> out = elements_;
  out.insert(out.end(), suffix.elements_.begin(), suffix.elements_.end());
  return Path(std::move(out));
}

Path Path::append(std::string element) const {
  std::vector<std::string> out;
  out.reserve(elements_.size() + 1);  // one allocation (identifiers append to every request's name)
  out = elements_;
  out.push_back(std::move(element));
  return Path(std::move(out));
}

}  // namespace ferry::sdk
