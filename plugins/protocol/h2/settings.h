#pragma once
// The h2 protocol's settings: Linkerd's h2 server keys (Linkerd 1.x docs: HTTP/2 protocol) and what this proxy
// advertises in SETTINGS.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "plugins/common/http/connection_guard.h"
#include "plugins/common/http/server_headers.h"

namespace ferry::plugins::protocol::h2 {

/** SETTINGS tuning of one side (a server's accepted connections, or the router's clients). */
struct SessionSettings {
  /** SETTINGS_INITIAL_WINDOW_SIZE: how much each stream may send before a WINDOW_UPDATE. */
  uint32_t initialStreamWindowBytes = 65535;
  /** SETTINGS_MAX_FRAME_SIZE: the largest frame payload accepted. */
  uint32_t maxFrameBytes = 16384;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: larger request heads are answered 431. None: unlimited. */
  std::optional<uint32_t> maxHeaderListBytes;
  /** SETTINGS_HEADER_TABLE_SIZE (HPACK dynamic table). None: the protocol default, 4096. */
  std::optional<uint32_t> headerTableBytes;
  /** SETTINGS_MAX_CONCURRENT_STREAMS the peer may open; None: unlimited. */
  std::optional<uint32_t> maxConcurrentStreams;
  /**
   * Linkerd's windowUpdateRatio: a WINDOW_UPDATE is sent once the available window falls to
   * this fraction of its capacity (0.99: after 1% of it was consumed).
   */
  double windowUpdateRatio = 0.99;
  /** The connection-level receive window; refilled as data is consumed, whatever the streams do. */
  uint32_t connectionWindowBytes = 1024 * 1024;
  /**
   * Keep-alive: a PING every interval; a peer that sends nothing back for a whole interval
   * after one is dead, and its connection is dropped (its streams reset). Zero: no PINGs.
   * A Ferry extension (router key `pingIntervalMs`); Linkerd's h2 router has no equivalent.
   */
  std::chrono::milliseconds pingInterval{30000};
};

struct ServerSettings {
  SessionSettings session;
  common::http::ServerHeaderSettings headers;
  /** headerReadTimeoutMs (the preface, and each request's header block) and serverSession. */
  common::http::ServerLimits limits;
};

/** The Via entry this proxy appends to requests and responses (Linkerd: "h2 linkerd"). */
inline const std::string kVia = "h2 ferry";

}  // namespace ferry::plugins::protocol::h2
