#pragma once
// The http protocol's own settings (router and server keys of linkerd1.md §1.3-§1.4, §2.1).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "plugins/protocol/http/http1_parse.h"

namespace ferry::plugins::protocol::http {

/** How a `Forwarded` header names a node (Linkerd's labelers, RFC 7239 obfuscated ids). */
struct ForwardedLabeler {
  enum class Kind { Ip, IpPort, ConnectionRandom, RequestRandom, Router, Static };
  Kind kind = Kind::RequestRandom;
  std::string label;  ///< Static: the label; Router: the router's label
};

struct ServerSettings {
  /** Requests whose Via already lists this many hops are refused (loop detection). */
  std::size_t maxCallDepth = 1000;
  /** `addForwardedHeader`: by (this proxy) and for (the client) labelers. */
  std::optional<std::pair<ForwardedLabeler, ForwardedLabeler>> forwarded;
  /** `timestampHeader`: a header carrying the time the request arrived, in ms since the epoch. */
  std::optional<std::string> timestampHeader;
};

struct HttpSettings {
  HeadLimits limits;
  /** The Via entry this proxy appends to requests and responses. */
  std::string via = "1.1 ferry";
  /** `maxRequestKB` / `maxResponseKB`: larger declared bodies are refused (413 / 502). */
  std::optional<uint64_t> maxRequestBytes, maxResponseBytes;
};

}  // namespace ferry::plugins::protocol::http
