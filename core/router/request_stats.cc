#include "core/router/request_stats.h"

namespace ferry::core::router {

RequestStats::RequestStats(stats::StatsStore& store, std::string prefix)
    : store_(store),
      prefix_(std::move(prefix)),
      requests_(store.counter(prefix_ + "/requests")),
      success_(store.counter(prefix_ + "/success")),
      failures_(store.counter(prefix_ + "/failures")),
      pending_(store.gauge(prefix_ + "/pending")),
      latency_(store.histogram(prefix_ + "/request_latency_ms")) {}

void RequestStats::finished(int status, bool success, std::chrono::steady_clock::duration latency) {
  pending_.add(-1);
  (success ? success_ : failures_).incr();
  latency_.record(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(latency).count()));
  if (status >= 100 && status < 600) {
    // The common case, the scope's most frequent status, without a call.
    (!status_.empty() && status_.front().first == status ? *status_.front().second : statusCounter(status)).incr();
    auto& k = statusClass_[static_cast<std::size_t>(status / 100)];
    if (!k) k = &store_.counter(prefix_ + "/status/" + std::to_string(status / 100) + "XX");
    k->incr();
  }
}

stats::ShardedCounter& RequestStats::statusCounter(int status) {
  for (std::size_t i = 0; i < status_.size(); ++i) {
    if (status_[i].first != status) continue;
    // Keeps the most frequent statuses first: one step towards the front per hit.
    if (i > 0) std::swap(status_[i], status_[i - 1]);
    return *status_[i > 0 ? i - 1 : 0].second;
  }
  status_.emplace_back(status, &store_.counter(prefix_ + "/status/" + std::to_string(status)));
  return *status_.back().second;
}

std::string scopeName(const std::string& shownPath) {
  return shownPath.size() > 1 && shownPath[0] == '/' ? shownPath.substr(1) : shownPath;
}

}  // namespace ferry::core::router
