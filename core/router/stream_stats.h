#pragma once
// StreamStats: Linkerd's h2 stream metrics for one server or client scope (Linkerd 1.x docs: HTTP/2 protocol),
// `stream/{remote,local}/{data/bytes, data/frames, reset, trailers}`: "remote" counts what the
// peer on that side sent, "local" what Ferry sent it. `data/frames` counts the body pieces
// relayed: one per DATA frame, or per part of one when a frame arrives split across reads.
// Per message: `request/stream/...` and `response/stream/...` (`stream_duration_ms` from head
// to end, `stream_success` when it ended, `stream_failures` when it was reset, `data_bytes`),
// and `stream/total_latency_ms` from the request's arrival until both streams are done.
// Kept for h2 routers only; handles are resolved once per scope and worker.

#include <chrono>
#include <string>

#include "core/events/event_time.h"
#include "core/stats/stats_store.h"

namespace ferry::core::router {

struct StreamDirection {
  StreamDirection(stats::StatsStore& store, const std::string& prefix)
      : bytes(store.counter(prefix + "/data/bytes")),
        frames(store.counter(prefix + "/data/frames")),
        reset(store.counter(prefix + "/reset")),
        trailers(store.counter(prefix + "/trailers")) {}
  void data(std::size_t n) {
    bytes.incr(n);
    frames.incr();
  }
  stats::ShardedCounter& bytes;
  stats::ShardedCounter& frames;
  stats::ShardedCounter& reset;
  stats::ShardedCounter& trailers;
};

/** One message stream (a request's or a response's). */
struct MessageStream {
  MessageStream(stats::StatsStore& store, const std::string& prefix)
      : durationMs(store.histogram(prefix + "/stream_duration_ms")),
        success(store.counter(prefix + "/stream_success")),
        failures(store.counter(prefix + "/stream_failures")),
        dataBytes(store.counter(prefix + "/data_bytes")) {}
  /** The message ended (`ok`) or was reset, `since` its head. */
  void finished(bool ok, std::chrono::steady_clock::time_point since) {
    (ok ? success : failures).incr();
    durationMs.record(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(events::eventTime() - since).count()));
  }
  stats::BucketHistogram& durationMs;
  stats::ShardedCounter& success;
  stats::ShardedCounter& failures;
  stats::ShardedCounter& dataBytes;
};

struct StreamStats {
  /** `scope` is the server's or client's metric scope (`rt/<router>/server/<ip>/<port>`). */
  StreamStats(stats::StatsStore& store, const std::string& scope)
      : remote(store, scope + "/stream/remote"),
        local(store, scope + "/stream/local"),
        request(store, scope + "/request/stream"),
        response(store, scope + "/response/stream"),
        totalLatencyMs(store.histogram(scope + "/stream/total_latency_ms")) {}
  /** Request body bytes the peer on this side sent (`fromPeer`) or Ferry sent it. */
  void requestBody(bool fromPeer, std::size_t n) { body(request, fromPeer, n); }
  /** Response body bytes, likewise. */
  void responseBody(bool fromPeer, std::size_t n) { body(response, fromPeer, n); }

  StreamDirection remote;
  StreamDirection local;
  MessageStream request;
  MessageStream response;
  stats::BucketHistogram& totalLatencyMs;

 private:
  void body(MessageStream& message, bool fromPeer, std::size_t n) {
    (fromPeer ? remote : local).data(n);
    message.dataBytes.incr(n);
  }
};

}  // namespace ferry::core::router
