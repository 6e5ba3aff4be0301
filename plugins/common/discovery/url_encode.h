#pragma once
// Percent-encoding of a URL component (RFC 3986 §2.3: unreserved characters kept), for namers
// that put names, tags and selectors into the query strings of a discovery API.

#include <string>
#include <string_view>

namespace ferry::plugins::discovery {

inline std::string urlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace ferry::plugins::discovery
