#pragma once
// The http protocol's own settings (router and server keys of linkerd1.md §1.3-§1.4, §2.1).

#include <cstddef>
#include <string>

#include "plugins/protocol/http/http1_parse.h"

namespace ferry::plugins::protocol::http {

struct ServerSettings {
  /** Requests whose Via already lists this many hops are refused (loop detection). */
  std::size_t maxCallDepth = 1000;
};

struct HttpSettings {
  HeadLimits limits;
  /** The Via entry this proxy appends to requests and responses. */
  std::string via = "1.1 ferry";
};

}  // namespace ferry::plugins::protocol::http
