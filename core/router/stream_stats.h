#pragma once
// StreamStats: Linkerd's h2 stream metrics for one server or client scope (linkerd1.md §2.2),
// `stream/{remote,local}/{data/bytes, data/frames, reset, trailers}`: "remote" counts what the
// peer on that side sent, "local" what Ferry sent it. `data/frames` counts the body pieces
// relayed: one per DATA frame, or per part of one when a frame arrives split across reads.
// Kept for h2 routers only; handles are resolved once per scope and worker.

#include <string>

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
  sdk::Counter& bytes;
  sdk::Counter& frames;
  sdk::Counter& reset;
  sdk::Counter& trailers;
};

struct StreamStats {
  /** `scope` is the server's or client's metric scope (`rt/<router>/server/<ip>/<port>`). */
  StreamStats(stats::StatsStore& store, const std::string& scope)
      : remote(store, scope + "/stream/remote"), local(store, scope + "/stream/local") {}
  StreamDirection remote;
  StreamDirection local;
};

}  // namespace ferry::core::router
