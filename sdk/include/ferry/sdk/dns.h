#pragma once
// DnsResolver: the host's asynchronous DNS client, for namers that discover endpoints through
// DNS SRV records (io.l5d.dnssrv). Namers never open sockets of their own, and a lookup never
// blocks the main thread: queries go out on the main event loop and answers come back on it.

#include <arpa/inet.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ferry::sdk {

struct SrvLookup {
  /** The record's name (`_http._tcp.users.example.org`). One with fewer dots than the resolver's
   *  `ndots` is also tried under its search domains (resolv.conf), as a system lookup would be;
   *  a name that ends in `.` is absolute. */
  std::string name;
  /** DNS servers to ask, each `host` or `host:port` (IPv4, or IPv6 in brackets: `[::1]:53`), in
   *  order. Empty: the system's (/etc/resolv.conf). */
  std::vector<std::string> servers;
  /** Time allowed for the whole lookup, SRV records and their targets' addresses together. */
  std::chrono::milliseconds timeout{5'000};
};

/** A DNS server as SrvLookup::servers names it. */
struct DnsServer {
  std::string host;  ///< IP literal, or a name the host looks up (once) with the system's resolver
  uint16_t port = 53;
  bool isAddress = false;  ///< `host` is an IP literal
};

/**
 * Reads `host`, `host:port`, `ip6` or `[ip6]:port`. False, with `error` saying what is wrong
 * with `text`, if it is malformed. Header-only, so a plugin checks its config with the very
 * rules the host applies.
 */
inline bool parseDnsServer(const std::string& text, DnsServer& out, std::string& error) {
  std::string host = text;
  std::string port;
  bool hasPort = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) {
      error = "'" + text + "' has no closing ']'";
      return false;
    }
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') {
        error = "'" + text + "': expected ':' and a port after ']'";
        return false;
      }
      hasPort = true;
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    hasPort = true;
    host = text.substr(0, text.find(':'));
    port = text.substr(text.find(':') + 1);
  }
  if (host.empty()) {
    error = "'" + text + "' names no host";
    return false;
  }
  out.host = host;
  out.port = 53;
  if (hasPort) {
    bool digits = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
    int value = digits ? std::stoi(port) : 0;
    if (value < 1 || value > 65535) {
      error = "'" + text + "': the port must be 1-65535";
      return false;
    }
    out.port = static_cast<uint16_t>(value);
  }
  unsigned char buf[sizeof(in6_addr)];
  out.isAddress = inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
  if (!out.isAddress && host.find_first_of(" /[]:") != std::string::npos) {
    error = "'" + text + "' is neither an IP address nor a host name";
    return false;
  }
  return true;
}

/** One SRV record (RFC 2782) and the addresses its target resolved to. */
struct SrvTarget {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;  ///< host name, without the trailing dot
  /** IP literals (IPv4 and IPv6) of `target`, from /etc/hosts or the same DNS servers. Empty
   *  when the target has no address: see SrvAnswer::unresolvedTargets. */
  std::vector<std::string> addresses;
};

struct SrvAnswer {
  enum class Outcome {
    /** Records found (possibly none whose target has an address). */
    Found,
    /** The name does not exist (NXDOMAIN), or exists with no SRV record: an authoritative "no". */
    NoSuchName,
    /** No answer to rely on: timeout, refused, server failure, malformed reply. */
    Failed,
  };
  Outcome outcome = Outcome::Failed;
  std::vector<SrvTarget> records;
  /** Targets whose address lookup failed (`name: reason`), also for Found. */
  std::vector<std::string> unresolvedTargets;
  /** NoSuchName and Failed: why, with the servers asked (`_x._tcp.y: timeout (127.0.0.2:53)`). */
  std::string error;
};

/** An in-flight lookup; destroying it cancels the lookup, after which its callback never runs. */
class DnsQuery {
 public:
  virtual ~DnsQuery() = default;
};
using DnsQueryPtr = std::unique_ptr<DnsQuery>;

class DnsResolver {
 public:
  virtual ~DnsResolver() = default;
  /**
   * Looks up the SRV records of `lookup.name`, then the addresses of their targets. `done` runs
   * exactly once, on the main thread, never before lookupSrv returns (unless the query was
   * destroyed first, in which case it never runs).
   * Thread: main. Ownership: the caller owns the query; the resolver outlives it.
   */
  virtual DnsQueryPtr lookupSrv(SrvLookup lookup, std::function<void(SrvAnswer)> done) = 0;
};

}  // namespace ferry::sdk
