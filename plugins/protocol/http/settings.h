#pragma once
// The http protocol's own settings (router and server keys of linkerd1.md §1.3-§1.4, §2.1).

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
