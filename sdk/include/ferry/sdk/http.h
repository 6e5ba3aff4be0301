#pragma once
// HTTP message heads shared by the http (HTTP/1.x) and h2 protocols, identifiers and classifiers.

#include <optional>
#include <string>
#include <string_view>

#include "ferry/sdk/http_client.h"  // HeaderList

namespace ferry::sdk {

/** ASCII case-insensitive equality, for header names. */
inline bool headerNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

/** The value of the last header named `name` (case-insensitive), if any. */
inline std::optional<std::string_view> findHeader(const HeaderList& headers, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [k, v] : headers) {
    if (headerNameEquals(k, name)) found = v;
  }
  return found;
}

/**
 * The value of an `l5d-err` header for `message`: URL-encoded (spaces as '+', path characters
 * kept readable) and cut at about 4 KB so the header stays bounded. Both the core and protocol
 * codecs answer their errors with it.
 */
inline std::string encodeErrorHeader(std::string_view message) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : message) {
    bool keep = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                std::string_view("-_.~/:$#*=>,[]").find(static_cast<char>(c)) != std::string_view::npos;
    if (keep) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    if (out.size() > 4000) {
      out += "...";
      break;
    }
  }
  return out;
}

/**
 * A request head. For HTTP/1.x `target` is the request-target as sent (origin or absolute form)
 * and `host` the Host header (or the authority of an absolute-form target); for h2 they are
 * `:path` and `:authority`, and pseudo-headers also appear in `headers`.
 */
struct HttpRequestHead {
  std::string method;
  std::string target;
  std::string host;
  int versionMajor = 1;
  int versionMinor = 1;
  HeaderList headers;

  std::optional<std::string_view> header(std::string_view name) const { return findHeader(headers, name); }
  /** The path part of `target` (no query), in origin form. */
  std::string_view path() const {
    std::string_view t = target;
    if (auto scheme = t.find("://"); scheme != std::string_view::npos && t[0] != '/') {
      auto slash = t.find('/', scheme + 3);
      t = slash == std::string_view::npos ? std::string_view("/") : t.substr(slash);
    }
    auto q = t.find_first_of("?#");
    return q == std::string_view::npos ? t : t.substr(0, q);
  }
};

struct HttpResponseHead {
  int status = 0;
  HeaderList headers;
  std::optional<std::string_view> header(std::string_view name) const { return findHeader(headers, name); }
};

}  // namespace ferry::sdk
