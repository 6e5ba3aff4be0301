#pragma once
// The http protocol's own settings: its router and server keys (Linkerd 1.x docs: routers,
// servers, HTTP/1.1 protocol).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "plugins/common/http/connection_guard.h"
#include "plugins/common/http/server_headers.h"
#include "plugins/protocol/http/http1_parse.h"

namespace ferry::plugins::protocol::http {

/** The server keys shared with h2: the headers a server adds and checks (maxCallDepth,
 *  addForwardedHeader, timestampHeader) and its limits (headerReadTimeoutMs, serverSession). */
struct ServerSettings {
  common::http::ServerHeaderSettings headers;
  common::http::ServerLimits limits;
};

struct HttpSettings {
  HeadLimits limits;
  /** The Via entry this proxy appends to requests and responses. */
  std::string via = "1.1 ferry";
  /** `maxRequestKB` / `maxResponseKB`: larger declared bodies are refused (413 / 502). */
  std::optional<uint64_t> maxRequestBytes, maxResponseBytes;
};

}  // namespace ferry::plugins::protocol::http
