#include "core/stats/stats_store.h"

#include <boost/json.hpp>

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>

namespace ferry::core::stats {
namespace {

using detail::tShard;

void atomicMin(std::atomic<uint64_t>& a, uint64_t v) {
  uint64_t cur = a.load(std::memory_order_relaxed);
  while (v < cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

void atomicMax(std::atomic<uint64_t>& a, uint64_t v) {
  uint64_t cur = a.load(std::memory_order_relaxed);
  while (v > cur && !a.compare_exchange_weak(cur, v, std::memory_order_relaxed)) {
  }
}

// As detail::add: shard 0 is shared and updated atomically, a worker's shard is its own.
void lower(std::atomic<uint64_t>& a, uint64_t v, std::size_t shard) {
  if (shard == 0) return atomicMin(a, v);
  if (v < a.load(std::memory_order_relaxed)) a.store(v, std::memory_order_relaxed);
}

void raise(std::atomic<uint64_t>& a, uint64_t v, std::size_t shard) {
  if (shard == 0) return atomicMax(a, v);
  if (v > a.load(std::memory_order_relaxed)) a.store(v, std::memory_order_relaxed);
}

class PrefixedScope final : public sdk::StatsScope {
 public:
  PrefixedScope(StatsStore& store, std::string prefix) : store_(store), prefix_(std::move(prefix)) {}
  sdk::Counter& counter(std::string_view name) override { return store_.counter(full(name)); }
  sdk::Gauge& gauge(std::string_view name) override { return store_.gauge(full(name)); }
  sdk::Histogram& histogram(std::string_view name) override { return store_.histogram(full(name)); }
  std::unique_ptr<sdk::StatsScope> scope(std::string_view name) override {
    return std::make_unique<PrefixedScope>(store_, full(name));
  }

 private:
  std::string full(std::string_view name) const {
    return prefix_.empty() ? std::string(name) : prefix_ + "/" + std::string(name);
  }
  StatsStore& store_;
  std::string prefix_;
};

bool underPrefix(const std::string& name, const std::string& query) {
  if (query.empty()) return true;
  return name == query || (name.size() > query.size() && name.compare(0, query.size(), query) == 0 &&
                           name[query.size()] == '/');
}

}  // namespace

void setThreadShard(std::size_t shard) { tShard = shard; }
std::size_t threadShard() { return tShard; }

uint64_t ShardedCounter::value() const {
  uint64_t total = 0;
  for (const auto& s : shards_) total += s.value.load(std::memory_order_relaxed);
  return total;
}

void AtomicGauge::add(double delta) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + delta, std::memory_order_relaxed)) {
  }
}

BucketHistogram::BucketHistogram(std::size_t shards) {
  for (std::size_t i = 0; i < shards; ++i) shards_.push_back(std::make_unique<Shard>());
}

BucketHistogram::~BucketHistogram() = default;

BucketHistogram::Shard::~Shard() {
  for (auto& r : ranges) delete r.load(std::memory_order_acquire);
}

BucketHistogram::Range& BucketHistogram::range(Shard& shard, std::size_t index, bool shared) {
  auto& slot = shard.ranges[index];
  if (Range* r = slot.load(std::memory_order_acquire)) return *r;
  // First value in this range on this shard: once per range, never again on the request path.
  auto fresh = std::make_unique<Range>();
  if (!shared) {
    slot.store(fresh.get(), std::memory_order_release);
    return *fresh.release();
  }
  Range* expected = nullptr;
  if (slot.compare_exchange_strong(expected, fresh.get(), std::memory_order_acq_rel)) return *fresh.release();
  return *expected;  // another thread installed it first
}

std::size_t BucketHistogram::bucketOf(uint64_t v) {
  // Values below 64 are exact; above, the top kSubBits bits after the leading one select a
  // sub-bucket inside the power-of-two range.
  if (v < (1u << kSubBits)) return static_cast<std::size_t>(v);
  int msb = 63 - __builtin_clzll(v);
  int shift = msb - kSubBits;
  std::size_t sub = static_cast<std::size_t>((v >> shift) & ((1u << kSubBits) - 1));
  return (static_cast<std::size_t>(shift + 1) << kSubBits) + sub;
}

uint64_t BucketHistogram::bucketLow(std::size_t b) {
  if (b < (1u << kSubBits)) return b;
  std::size_t shift = (b >> kSubBits) - 1;
  uint64_t sub = b & ((1u << kSubBits) - 1);
  return ((uint64_t{1} << kSubBits) | sub) << shift;
}

uint64_t BucketHistogram::bucketHigh(std::size_t b) {
  if (b < (1u << kSubBits)) return b;
  std::size_t shift = (b >> kSubBits) - 1;
  return bucketLow(b) + ((uint64_t{1} << shift) - 1);
}

void BucketHistogram::record(uint64_t value) {
  std::size_t shard = detail::shardOf(shards_.size());
  Shard& s = *shards_[shard];
  std::size_t b = bucketOf(value);
  if (b >= kBuckets) b = kBuckets - 1;
  detail::add(range(s, b >> kSubBits, shard == 0).cells[b & (kSubBuckets - 1)], 1, shard);
  detail::add(s.sum, value, shard);
  lower(s.min, value, shard);
  raise(s.max, value, shard);
}

std::vector<uint64_t> BucketHistogram::cumulative(uint64_t* sum) const {
  std::vector<uint64_t> out(kBuckets, 0);
  *sum = 0;
  for (const auto& s : shards_) {
    for (std::size_t r = 0; r < kRanges; ++r) {
      const Range* range = s->ranges[r].load(std::memory_order_acquire);
      if (!range) continue;
      for (std::size_t i = 0; i < kSubBuckets; ++i) {
        out[(r << kSubBits) + i] += range->cells[i].load(std::memory_order_relaxed);
      }
    }
    *sum += s->sum.load(std::memory_order_relaxed);
  }
  return out;
}

void BucketHistogram::roll() {
  basePrevious_ = std::move(baseCurrent_);
  sumPrevious_ = sumCurrent_;
  auto now = cumulative(&sumCurrent_);
  baseCurrent_.clear();
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (now[i]) baseCurrent_.emplace_back(static_cast<uint32_t>(i), now[i]);
  }
  baseCurrent_.shrink_to_fit();
}

HistogramSummary BucketHistogram::summary() const {
  uint64_t sum = 0;
  auto now = cumulative(&sum);
  HistogramSummary out;
  std::vector<uint64_t> window = std::move(now);
  for (const auto& [bucket, count] : basePrevious_) window[bucket] -= count;
  for (uint64_t n : window) out.count += n;
  out.sum = sum - sumPrevious_;
  if (out.count == 0) return out;
  auto quantile = [&](double q) -> uint64_t {
    uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(out.count));
    if (rank >= out.count) rank = out.count - 1;
    uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += window[i];
      if (seen > rank) return bucketHigh(i);
    }
    return 0;
  };
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (window[i]) {
      out.min = bucketLow(i);
      break;
    }
  }
  for (std::size_t i = kBuckets; i-- > 0;) {
    if (window[i]) {
      out.max = bucketHigh(i);
      break;
    }
  }
  // Exact extremes when the window holds everything ever recorded.
  bool whole = basePrevious_.empty();
  if (whole) {
    uint64_t mn = UINT64_MAX, mx = 0;
    for (const auto& s : shards_) {
      mn = std::min(mn, s->min.load(std::memory_order_relaxed));
      mx = std::max(mx, s->max.load(std::memory_order_relaxed));
    }
    out.min = mn;
    out.max = mx;
  }
  out.p50 = quantile(0.5);
  out.p90 = quantile(0.9);
  out.p95 = quantile(0.95);
  out.p99 = quantile(0.99);
  out.p9990 = quantile(0.999);
  out.p9999 = quantile(0.9999);
  out.p50 = std::clamp(out.p50, out.min, out.max);
  out.p90 = std::clamp(out.p90, out.min, out.max);
  out.p95 = std::clamp(out.p95, out.min, out.max);
  out.p99 = std::clamp(out.p99, out.min, out.max);
  out.p9990 = std::clamp(out.p9990, out.min, out.max);
  out.p9999 = std::clamp(out.p9999, out.min, out.max);
  return out;
}

StatsStore::StatsStore(std::size_t shards) : shards_(std::max<std::size_t>(shards, 1)) {}

ShardedCounter& StatsStore::counter(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<ShardedCounter>(shards_);
  return *slot;
}

AtomicGauge& StatsStore::gauge(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = gauges_[name];
  if (!slot) slot = std::make_unique<AtomicGauge>();
  return *slot;
}

BucketHistogram& StatsStore::histogram(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto& slot = histograms_[name];
  if (!slot) slot = std::make_unique<BucketHistogram>(shards_);
  return *slot;
}

void StatsStore::computedGauge(const std::string& name, std::function<double()> read) {
  std::lock_guard lock(mutex_);
  computed_[name] = std::move(read);
}

void StatsStore::prune(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  auto erase = [&](auto& map) {
    for (auto it = map.begin(); it != map.end();) {
      it = underPrefix(it->first, prefix) ? map.erase(it) : std::next(it);
    }
  };
  erase(counters_);
  erase(gauges_);
  erase(histograms_);
  erase(computed_);
}

std::unique_ptr<sdk::StatsScope> StatsStore::scope(const std::string& prefix) {
  return std::make_unique<PrefixedScope>(*this, prefix);
}

void StatsStore::forEach(const std::function<void(const sdk::MetricSample&)>& visit) const {
  std::vector<sdk::MetricSample> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, c] : counters_) {
      all.push_back(sdk::MetricSample{name, sdk::MetricSample::Type::Counter, static_cast<double>(c->value())});
    }
    for (const auto& [name, g] : gauges_) {
      all.push_back(sdk::MetricSample{name, sdk::MetricSample::Type::Gauge, g->value()});
    }
    for (const auto& [name, read] : computed_) {
      all.push_back(sdk::MetricSample{name, sdk::MetricSample::Type::Gauge, read()});
    }
    for (const auto& [name, h] : histograms_) {
      auto s = h->summary();
      sdk::MetricSample m{name, sdk::MetricSample::Type::Histogram};
      m.count = s.count;
      m.sum = s.sum;
      m.min = s.min;
      m.max = s.max;
      m.p50 = s.p50;
      m.p90 = s.p90;
      m.p95 = s.p95;
      m.p99 = s.p99;
      m.p9990 = s.p9990;
      m.p9999 = s.p9999;
      all.push_back(std::move(m));
    }
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& m : all) visit(m);
}

namespace {

/** Integral values print as integers (Linkerd's counters do), others as decimals. */
boost::json::value number(double v) {
  if (v == static_cast<double>(static_cast<int64_t>(v)) && v > -9e15 && v < 9e15) return static_cast<int64_t>(v);
  return v;
}

void addFlat(boost::json::object& out, const sdk::MetricSample& m) {
  if (m.type != sdk::MetricSample::Type::Histogram) {
    out[m.name] = number(m.value);
    return;
  }
  out[m.name + ".count"] = m.count;
  out[m.name + ".sum"] = m.sum;
  out[m.name + ".avg"] = number(m.count ? static_cast<double>(m.sum) / static_cast<double>(m.count) : 0.0);
  out[m.name + ".min"] = m.min;
  out[m.name + ".max"] = m.max;
  out[m.name + ".p50"] = m.p50;
  out[m.name + ".p90"] = m.p90;
  out[m.name + ".p95"] = m.p95;
  out[m.name + ".p99"] = m.p99;
  out[m.name + ".p9990"] = m.p9990;
  out[m.name + ".p9999"] = m.p9999;
}

void prettyPrint(std::string& out, const boost::json::value& v, int indent) {
  std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    std::size_t i = 0;
    for (const auto& kv : o) {
      out += pad + "  " + boost::json::serialize(boost::json::value(kv.key())) + ": ";
      prettyPrint(out, kv.value(), indent + 1);
      out += ++i < o.size() ? ",\n" : "\n";
    }
    out += pad + "}";
  } else {
    out += boost::json::serialize(v);
  }
}

}  // namespace

std::string StatsStore::metricsJson(bool pretty, const std::string& query) const {
  boost::json::object out;
  forEach([&](const sdk::MetricSample& m) {
    if (underPrefix(m.name, query)) addFlat(out, m);
  });
  if (!pretty) return boost::json::serialize(out);
  std::string s;
  prettyPrint(s, out, 0);
  return s;
}

std::string StatsStore::metricsTreeJson(const std::string& query) const {
  boost::json::object root;
  forEach([&](const sdk::MetricSample& m) {
    if (!underPrefix(m.name, query)) return;
    boost::json::object* node = &root;
    std::size_t start = 0;
    while (true) {
      auto slash = m.name.find('/', start);
      std::string part = m.name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      auto& child = (*node)[part];
      if (!child.is_object()) child = boost::json::object();
      node = &child.as_object();
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (m.type == sdk::MetricSample::Type::Counter) {
      (*node)["counter"] = number(m.value);
    } else if (m.type == sdk::MetricSample::Type::Gauge) {
      (*node)["gauge"] = number(m.value);
    } else {
      boost::json::object stat;
      stat["count"] = m.count;
      stat["sum"] = m.sum;
      stat["min"] = m.min;
      stat["max"] = m.max;
      stat["p50"] = m.p50;
      stat["p90"] = m.p90;
      stat["p95"] = m.p95;
      stat["p99"] = m.p99;
      stat["p9990"] = m.p9990;
      stat["p9999"] = m.p9999;
      (*node)["stat"] = std::move(stat);
    }
  });
  return boost::json::serialize(root);
}

void StatsStore::rollHistograms() {
  std::lock_guard lock(mutex_);
  for (auto& [name, h] : histograms_) h->roll();
}

void registerProcessMetrics(StatsStore& store) {
  static const auto start = std::chrono::steady_clock::now();
  static const auto startWall = std::chrono::system_clock::now();
  store.computedGauge("process/uptime_ms", [] {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  });
  store.computedGauge("process/start_time_ms", [] {
    return static_cast<double>(
        std::chrono::duration_cast<std::chrono::milliseconds>(startWall.time_since_epoch()).count());
  });
  auto statusField = [](const char* field) -> double {
    std::ifstream in("/proc/self/status");
    std::string line;
    std::string key = std::string(field) + ":";
    while (std::getline(in, line)) {
      if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size()));
    }
    return 0;
  };
  store.computedGauge("process/rss_bytes", [statusField] { return statusField("VmRSS") * 1024; });
  store.computedGauge("process/peak_rss_bytes", [statusField] { return statusField("VmHWM") * 1024; });
  store.computedGauge("process/threads", [statusField] { return statusField("Threads"); });
  store.computedGauge("process/fd_count", [] {
    double n = 0;
    if (DIR* d = opendir("/proc/self/fd")) {
      while (readdir(d)) ++n;
      closedir(d);
      n -= 3;  // ".", ".." and the directory's own descriptor
    }
    return n;
  });
  store.computedGauge("process/cpu_user_ms", [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec) * 1000.0 + static_cast<double>(ru.ru_utime.tv_usec) / 1000.0;
  });
  store.computedGauge("process/cpu_system_ms", [] {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_stime.tv_sec) * 1000.0 + static_cast<double>(ru.ru_stime.tv_usec) / 1000.0;
  });
}

}  // namespace ferry::core::stats
