#pragma once
// jsonQuote: the JSON string literal for a text, for plugins that serve JSON state
// (`/namer_state/<prefix>.json`) without a JSON library of their own.

#include <cstdio>
#include <string>
#include <string_view>

namespace ferry::sdk {

inline std::string jsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace ferry::sdk
