#pragma once
// RequestStats: the per-scope request metrics Linkerd reports for servers, services and clients
// (Linkerd 1.x docs: metrics): requests, success, failures, pending, request_latency_ms, status/<code>,
// status/<N>XX. Handles are looked up once per scope and worker; updates are lock-free.

#include <array>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/stats/stats_store.h"

namespace ferry::core::router {

class RequestStats {
 public:
  RequestStats(stats::StatsStore& store, std::string prefix);

  void started() {
    requests_.incr();
    pending_.add(1);
  }
  /** `status` 0 means no response (a Ferry error without HTTP status is never counted so). */
  void finished(int status, bool success, std::chrono::steady_clock::duration latency);
  const std::string& prefix() const { return prefix_; }

 private:
  stats::ShardedCounter& statusCounter(int status);

  stats::StatsStore& store_;
  std::string prefix_;
  stats::ShardedCounter& requests_;
  stats::ShardedCounter& success_;
  stats::ShardedCounter& failures_;
  stats::AtomicGauge& pending_;
  stats::BucketHistogram& latency_;
  /** The statuses seen so far and their counters, most seen first. A scope sees few statuses
   *  (200, 404, 502, ...): a short scan costs what an index would, where a table of all 600
   *  took 4.8 KB in each client and service of each worker (48 MB for 10,000 services). */
  std::vector<std::pair<int, stats::ShardedCounter*>> status_;
  std::array<stats::ShardedCounter*, 6> statusClass_{};
};

/** Linkerd's scope element for a name: the path without its leading '/'. */
std::string scopeName(const std::string& shownPath);

}  // namespace ferry::core::router
