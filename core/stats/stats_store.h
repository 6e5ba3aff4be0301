#pragma once
// The stats store: Linkerd's metric tree (Linkerd 1.x docs: metrics) with per-thread shards.
//
// Updates never lock and never look a name up: a handle is created once (main thread, or under
// the creation mutex) and then updated by any thread into that thread's shard. Reads merge the
// shards. Histograms are log-linear (about 3% precision) and report a window that covers the
// last 60 to 120 seconds: every 60 s the oldest minute is dropped, as Linkerd's minutely
// snapshots do, while the newest data is always visible.

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ferry/sdk/stats.h"
#include "ferry/sdk/telemeter.h"

namespace ferry::core::stats {

/** Which shard the calling thread writes to: 0 for the main and admin threads, 1..N for workers. */
void setThreadShard(std::size_t shard);
std::size_t threadShard();

namespace detail {
/** The calling thread's shard; in the header so a counter update is a few inlined instructions. */
inline thread_local std::size_t tShard = 0;

/** The shard the calling thread writes to in a metric of `shards` shards. */
inline std::size_t shardOf(std::size_t shards) { return tShard < shards ? tShard : 0; }

/**
 * Adds `n` to a cell of `shard`. A worker's shard has that worker as its only writer (readers
 * only load), so a plain load and store is exact there and costs no locked instruction; shard 0
 * is shared by every thread that is not a worker (main, admin, watchers) and is updated
 * atomically.
 */
inline void add(std::atomic<uint64_t>& cell, uint64_t n, std::size_t shard) {
  if (shard != 0) {
    cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  } else {
    cell.fetch_add(n, std::memory_order_relaxed);
  }
}
}  // namespace detail

struct alignas(64) PaddedCounter {
  std::atomic<uint64_t> value{0};
};

class ShardedCounter final : public sdk::Counter {
 public:
  explicit ShardedCounter(std::size_t shards) : shards_(shards) {}
  /** Inline: the core holds counters as ShardedCounter, so its calls are direct (about 22 per h2 request). */
  void incr(uint64_t n = 1) override {
    std::size_t shard = detail::shardOf(shards_.size());
    detail::add(shards_[shard].value, n, shard);
  }
  uint64_t value() const;

 private:
  std::vector<PaddedCounter> shards_;
};

class AtomicGauge final : public sdk::Gauge {
 public:
  void set(double v) override { value_.store(v, std::memory_order_relaxed); }
  void add(double delta) override;
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/** Summary of a histogram window. */
struct HistogramSummary {
  uint64_t count = 0, sum = 0, min = 0, max = 0;
  uint64_t p50 = 0, p90 = 0, p95 = 0, p99 = 0, p9990 = 0, p9999 = 0;
};

class BucketHistogram final : public sdk::Histogram {
 public:
  /** 48 power-of-two ranges, each split in 32 linear sub-buckets (values past 2^48 clamp). */
  static constexpr int kSubBits = 5;
  static constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBits;
  static constexpr std::size_t kRanges = 48;
  static constexpr std::size_t kBuckets = kRanges << kSubBits;

  explicit BucketHistogram(std::size_t shards);
  ~BucketHistogram() override;
  void record(uint64_t value) override;
  /** The current window; see the file comment. Thread: main. */
  HistogramSummary summary() const;
  /** Starts a new minute. Thread: main. */
  void roll();

  static std::size_t bucketOf(uint64_t value);
  static uint64_t bucketLow(std::size_t bucket);
  static uint64_t bucketHigh(std::size_t bucket);

 private:
  /** One power-of-two range's sub-buckets. */
  struct Range {
    std::array<std::atomic<uint64_t>, kSubBuckets> cells{};
  };
  /**
   * A thread's counts. Ranges are allocated when a value first falls in them: latencies fall in
   * a few ranges, so a histogram costs about a kilobyte per shard that records rather than 12
   * (a linker with 10,000 clients has 20,000 histograms). Installed with a release store (a
   * compare-and-swap on shard 0, which several threads share); readers load with acquire.
   */
  struct Shard {
    std::array<std::atomic<Range*>, kRanges> ranges{};
    std::atomic<uint64_t> sum{0};
    std::atomic<uint64_t> min{UINT64_MAX};
    std::atomic<uint64_t> max{0};
    ~Shard();
  };
  /** Cumulative counts at a minute's start: the non-zero buckets only, in bucket order. */
  using SparseCounts = std::vector<std::pair<uint32_t, uint64_t>>;

  static Range& range(Shard& shard, std::size_t index, bool shared);
  std::vector<uint64_t> cumulative(uint64_t* sum) const;
  std::vector<std::unique_ptr<Shard>> shards_;
  SparseCounts basePrevious_, baseCurrent_;
  uint64_t sumPrevious_ = 0, sumCurrent_ = 0;
};

class StatsStore {
 public:
  /** `shards`: one per thread that updates metrics (main + workers). */
  explicit StatsStore(std::size_t shards);

  /** Finds or creates a metric by its full `/`-separated name. Thread: any (locks). */
  ShardedCounter& counter(const std::string& name);
  AtomicGauge& gauge(const std::string& name);
  BucketHistogram& histogram(const std::string& name);
  /** A gauge computed when read (process figures). Thread: main. */
  void computedGauge(const std::string& name, std::function<double()> read);
  /** Removes every metric under `prefix/` (expired clients). */
  void prune(const std::string& prefix);

  /** A scope that prefixes names with `prefix/`. */
  std::unique_ptr<sdk::StatsScope> scope(const std::string& prefix);

  /** Every metric, sorted by name. Thread: main (admin handlers read it there). */
  void forEach(const std::function<void(const sdk::MetricSample&)>& visit) const;
  /** `/admin/metrics.json`: flat; `query` keeps names under that prefix (empty: all). */
  std::string metricsJson(bool pretty, const std::string& query) const;
  /** `/admin/metrics.json?tree=1`. */
  std::string metricsTreeJson(const std::string& query) const;

  /** Drops the oldest histogram minute. Thread: main, every 60 s. */
  void rollHistograms();

 private:
  std::size_t shards_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<ShardedCounter>> counters_;
  std::map<std::string, std::unique_ptr<AtomicGauge>> gauges_;
  std::map<std::string, std::unique_ptr<BucketHistogram>> histograms_;
  std::map<std::string, std::function<double()>> computed_;
};

/** Adds process figures (uptime, RSS, open fds, threads, CPU) as computed gauges. */
void registerProcessMetrics(StatsStore& store);

}  // namespace ferry::core::stats
