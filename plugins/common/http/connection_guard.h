#pragma once
// Limits on how long a client may hold a server connection without using it, shared by the http
// and h2 server codecs, and the server keys that set them (docs/configuration.md, "Limits"):
//
//   servers:
//   - port: 4140
//     headerReadTimeoutMs: 10000            # Ferry's key: a request head (HTTP/1) or the
//                                           # connection preface (h2) must arrive whole within
//                                           # this long of its first byte; 0 turns it off
//     serverSession:                        # Linkerd's block
//       idleTimeMs: 60000                   # no request in flight for this long: closed
//       lifeTimeMs: 3600000                 # older than this: drained (ends after its requests)
//
// Why in the codecs: only they know where a head begins and ends and when no request is in
// flight. Slowloris (a head sent a byte at a time) and idle connections are what these stop;
// the connection cap (maxConnections) is the core's, at accept.
//
// Cost: no timer is armed per request. Each timer is armed once and, when it fires, re-armed for
// what is left if the connection moved on since; a busy keep-alive connection sees one timer
// event per period, not one per request. Thread: the connection's worker.
// Header-only: each protocol plugin is its own .so and compiles its own copy.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "ferry/sdk/config.h"
#include "ferry/sdk/dispatcher.h"
#include "ferry/sdk/status.h"

namespace ferry::plugins::common::http {

using std::chrono::milliseconds;

/** The limits of one server block. */
struct ServerLimits {
  milliseconds headerReadTimeout{10'000};  ///< zero: none
  std::optional<milliseconds> idleTime;    ///< serverSession.idleTimeMs (Linkerd's default: none)
  std::optional<milliseconds> lifeTime;    ///< serverSession.lifeTimeMs (Linkerd's default: none)
};

/** Reads `headerReadTimeoutMs` and `serverSession` of one server block. */
inline sdk::Status parseServerLimits(const sdk::ConfigView& server, ServerLimits* out) {
  std::string problems;
  auto note = [&](const std::string& problem) { problems += (problems.empty() ? "" : "\n") + problem; };
  auto header = server.integer("headerReadTimeoutMs", out->headerReadTimeout.count());
  if (!header) {
    note(header.message());
  } else if (*header < 0) {
    note(server.location() + ": headerReadTimeoutMs must be 0 (none) or more");
  } else {
    out->headerReadTimeout = milliseconds(*header);
  }
  if (auto session = server.child("serverSession")) {
    auto readMs = [&](const char* key, std::optional<milliseconds>* into) {
      if (!session->has(key)) return;
      auto ms = session->integer(key, 0);
      if (!ms) {
        note(ms.message());
      } else if (*ms <= 0) {
        note(session->location() + ": serverSession." + key + " must be positive");
      } else {
        *into = milliseconds(*ms);
      }
    };
    readMs("idleTimeMs", &out->idleTime);
    readMs("lifeTimeMs", &out->lifeTime);
  }
  return problems.empty() ? sdk::Status::ok() : sdk::Status::error(problems);
}

/**
 * The timers of one server connection. The codec says when a head starts and completes and when
 * requests are in flight; the guard calls back when a limit is passed. Callbacks run on the
 * worker, from a timer (never from inside a codec call), at most once each.
 */
class ConnectionGuard {
 public:
  struct Callbacks {
    std::function<void()> headTimedOut;  ///< a head took longer than headerReadTimeout
    std::function<void()> idle;          ///< no request in flight for idleTime
    std::function<void()> lifeEnded;     ///< the connection is older than lifeTime
  };

  /** The connection is idle from now on (no request in flight yet). */
  ConnectionGuard(sdk::Dispatcher& dispatcher, const ServerLimits& limits, Callbacks callbacks)
      : dispatcher_(dispatcher), limits_(limits), callbacks_(std::move(callbacks)), idleSince_(dispatcher.now()) {
    if (limits_.idleTime) armIdle(*limits_.idleTime);
    if (limits_.lifeTime) {
      lifeTimer_ = dispatcher_.schedule(*limits_.lifeTime, [this] {
        if (callbacks_.lifeEnded) callbacks_.lifeEnded();
      });
    }
  }

  /** The first bytes of a head arrived (call again after each headComplete). */
  void headStarted() {
    if (headPending_ || limits_.headerReadTimeout.count() == 0) return;
    headPending_ = true;
    headStart_ = dispatcher_.now();
    if (!headTimer_) armHead(limits_.headerReadTimeout);
  }
  /** The head is whole. */
  void headComplete() { headPending_ = false; }

  /** `n` requests are in flight now (0: the connection turns idle). */
  void inFlight(std::size_t n) {
    bool idle = n == 0;
    if (idle && !idle_ && limits_.idleTime) idleSince_ = dispatcher_.now();  // only an idle limit reads it
    idle_ = idle;
  }

 private:
  void armHead(milliseconds after) {
    headTimer_ = dispatcher_.schedule(after, [this] {
      headTimer_.reset();
      if (!headPending_) return;
      auto due = headStart_ + limits_.headerReadTimeout;
      auto now = dispatcher_.now();
      if (now < due) return armHead(remaining(due, now));
      headPending_ = false;
      if (callbacks_.headTimedOut) callbacks_.headTimedOut();
    });
  }

  void armIdle(milliseconds after) {
    idleTimer_ = dispatcher_.schedule(after, [this] {
      auto now = dispatcher_.now();
      auto due = idleSince_ + *limits_.idleTime;
      if (!idle_ || now < due) return armIdle(idle_ ? remaining(due, now) : *limits_.idleTime);
      if (callbacks_.idle) callbacks_.idle();
    });
  }

  static milliseconds remaining(std::chrono::steady_clock::time_point due, std::chrono::steady_clock::time_point now) {
    return std::max(milliseconds(1), std::chrono::ceil<milliseconds>(due - now));
  }

  sdk::Dispatcher& dispatcher_;
  const ServerLimits& limits_;
  Callbacks callbacks_;
  bool headPending_ = false;
  bool idle_ = true;
  std::chrono::steady_clock::time_point headStart_{};
  std::chrono::steady_clock::time_point idleSince_;
  sdk::TimerPtr headTimer_;
  sdk::TimerPtr idleTimer_;
  sdk::TimerPtr lifeTimer_;
};

}  // namespace ferry::plugins::common::http
