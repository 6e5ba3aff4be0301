#pragma once
// What every HTTP server codec (http and h2) does to a request before the router sees it, and
// the server keys that control it (Linkerd 1.x docs: servers, §4): `maxCallDepth` loop detection over
// Via, `addForwardedHeader` (RFC 7239, Linkerd's labelers) and `timestampHeader`.
// Header-only: each protocol plugin is its own .so and compiles its own copy.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "ferry/sdk/config.h"
#include "ferry/sdk/http.h"
#include "ferry/sdk/status.h"

namespace ferry::plugins::common::http {

/** How a `Forwarded` header names a node (Linkerd's labelers, RFC 7239 obfuscated ids). */
struct ForwardedLabeler {
  enum class Kind { Ip, IpPort, ConnectionRandom, RequestRandom, Router, Static };
  Kind kind = Kind::RequestRandom;
  std::string label;  ///< Static: the label; Router: the router's label
};

/** The server keys shared by http and h2 servers. */
struct ServerHeaderSettings {
  /** Requests whose Via already lists this many hops are refused (loop detection). */
  std::size_t maxCallDepth = 1000;
  /** `addForwardedHeader`: by (this proxy) and for (the client) labelers. */
  std::optional<std::pair<ForwardedLabeler, ForwardedLabeler>> forwarded;
  /** `timestampHeader`: a header carrying the time the request arrived, in ms since the epoch. */
  std::optional<std::string> timestampHeader;
};

/** A labeler block: {kind: ip | "ip:port" | connectionRandom | requestRandom | router | static, label}. */
inline sdk::Result<ForwardedLabeler> parseLabeler(const sdk::ConfigView* block, const std::string& routerLabel) {
  ForwardedLabeler out;
  if (!block) return out;  // Linkerd's default: requestRandom
  auto kind = block->string("kind", "requestRandom");
  if (!kind) return kind.status();
  if (*kind == "ip") out.kind = ForwardedLabeler::Kind::Ip;
  else if (*kind == "ip:port") out.kind = ForwardedLabeler::Kind::IpPort;
  else if (*kind == "connectionRandom") out.kind = ForwardedLabeler::Kind::ConnectionRandom;
  else if (*kind == "requestRandom") out.kind = ForwardedLabeler::Kind::RequestRandom;
  else if (*kind == "router") {
    out.kind = ForwardedLabeler::Kind::Router;
    out.label = routerLabel;
  } else if (*kind == "static") {
    out.kind = ForwardedLabeler::Kind::Static;
    auto label = block->requiredString("label");
    if (!label) return label.status();
    out.label = *label;
  } else {
    return sdk::Result<ForwardedLabeler>::failure(block->location() + ": unknown labeler kind '" + *kind +
                                                  "'; available: ip, ip:port, connectionRandom, requestRandom, router, static");
  }
  return out;
}

/** Reads `maxCallDepth`, `addForwardedHeader` and `timestampHeader` of one server block. */
inline sdk::Status parseServerHeaderSettings(const sdk::ConfigView& server, const std::string& routerLabel,
                                             ServerHeaderSettings* out) {
  std::string problems;
  auto note = [&](const sdk::Status& s) {
    if (!s) problems += (problems.empty() ? "" : "\n") + s.message();
  };
  auto depth = server.integer("maxCallDepth", static_cast<int64_t>(out->maxCallDepth));
  if (!depth) {
    note(depth.status());
  } else if (*depth < 1) {
    note(sdk::Status::error(server.location() + ": maxCallDepth must be at least 1"));
  } else {
    out->maxCallDepth = static_cast<std::size_t>(*depth);
  }
  if (auto fwd = server.child("addForwardedHeader")) {
    auto by = parseLabeler(fwd->child("by").get(), routerLabel);
    auto forWhom = parseLabeler(fwd->child("for").get(), routerLabel);
    note(by.status());
    note(forWhom.status());
    if (by && forWhom) out->forwarded = std::make_pair(*by, *forWhom);
  }
  if (server.has("timestampHeader")) {
    auto name = server.string("timestampHeader", "");
    note(name.status());
    if (name) out->timestampHeader = *name;
  }
  return problems.empty() ? sdk::Status::ok() : sdk::Status::error(problems);
}

/** Counts the comma-separated entries of every Via header. */
inline std::size_t viaCount(const sdk::HeaderList& headers) {
  std::size_t n = 0;
  for (const auto& [k, v] : headers) {
    if (!sdk::headerNameEquals(k, "via")) continue;
    n += 1 + static_cast<std::size_t>(std::count(v.begin(), v.end(), ','));
  }
  return n;
}

/** The l5d-err message for a request that exceeded maxCallDepth (Linkerd's words). */
inline std::string callDepthMessage(std::size_t maxCallDepth) {
  return "Maximum number of calls (" + std::to_string(maxCallDepth) +
         ") has been exceeded. Please check for proxy loops.";
}

/**
 * Adds this hop's headers to a request: Via, then the timestamp and Forwarded headers the
 * server asks for. One per connection: connectionRandom labels are stable for its lifetime.
 * Header names are lower-case, as h2 requires.
 */
class RequestHeaderStamper {
 public:
  RequestHeaderStamper(const ServerHeaderSettings& settings, std::string via) : settings_(settings), via_(std::move(via)) {}

  void stamp(sdk::HeaderList& headers, const std::string& localAddress, const std::string& peerAddress) {
    headers.emplace_back("via", via_);
    if (settings_.timestampHeader) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
      headers.emplace_back(*settings_.timestampHeader, std::to_string(ms.count()));
    }
    if (settings_.forwarded) {
      headers.emplace_back("forwarded", "by=" + node(settings_.forwarded->first, localAddress) +
                                            ";for=" + node(settings_.forwarded->second, peerAddress));
    }
  }

 private:
  /** The RFC 7239 node for a Forwarded header. */
  std::string node(const ForwardedLabeler& labeler, const std::string& address) {
    auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
    auto obfuscated = [this] {
      static const char* kAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
      std::string id = "_";
      for (int i = 0; i < 6; ++i) id.push_back(kAlphabet[next() % 62]);
      return id;
    };
    switch (labeler.kind) {
      case ForwardedLabeler::Kind::Ip: {
        std::string ip = address.substr(0, address.rfind(':'));
        return ip.find(':') != std::string::npos || ip.front() == '[' ? quoted(ip) : ip;  // IPv6 is quoted
      }
      case ForwardedLabeler::Kind::IpPort:
        return quoted(address);
      case ForwardedLabeler::Kind::ConnectionRandom:
        if (connectionLabel_.empty()) connectionLabel_ = obfuscated();
        return connectionLabel_;
      case ForwardedLabeler::Kind::RequestRandom:
        return obfuscated();
      case ForwardedLabeler::Kind::Router:
      case ForwardedLabeler::Kind::Static:
        return labeler.label;
    }
    return "unknown";
  }

  /** splitmix64, seeded on first use: eight bytes per connection, no syscall unless Forwarded is on. */
  uint64_t next() {
    if (state_ == 0) state_ = (static_cast<uint64_t>(std::random_device{}()) << 32) | std::random_device{}() | 1;
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  const ServerHeaderSettings& settings_;
  std::string via_;
  std::string connectionLabel_;
  uint64_t state_ = 0;
};

}  // namespace ferry::plugins::common::http
