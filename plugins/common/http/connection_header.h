#pragma once
// The Connection header's list of hop-by-hop field names (RFC 9110 §7.6.1), which both HTTP
// codecs drop before forwarding (HTTP/1.1 strips them, HTTP/2 must not send them).
// Header-only: each protocol plugin is its own .so and compiles its own copy.

#include <string_view>

#include "ferry/sdk/http.h"

namespace ferry::plugins::common::http {

/**
 * Whether lower-case `name` is one of the fields HTTP/2 forbids as connection-specific
 * (RFC 9113 §8.2.2): connection, keep-alive, proxy-connection, transfer-encoding, upgrade.
 */
inline bool connectionSpecific(std::string_view name) {
  switch (name.size()) {
    case 7:
      return name == "upgrade";
    case 10:
      return name == "connection" || name == "keep-alive";
    case 16:
      return name == "proxy-connection";
    case 17:
      return name == "transfer-encoding";
    default:
      return false;
  }
}

/** Whether a Connection header of `headers` lists `name` (any case, optional whitespace). */
inline bool listedByConnection(const sdk::HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (k.size() != 10 || !sdk::headerNameEquals(k, "connection")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      auto comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (!token.empty() && sdk::headerNameEquals(token, name)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace ferry::plugins::common::http
