#include "core/stats/stats_store.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <thread>

namespace ferry::core::stats {
namespace {

TEST(StatsStoreTest, CountersMergeShards) {
  StatsStore store(3);
  auto& c = store.counter("rt/x/requests");
  std::thread a([&] {
    setThreadShard(1);
    for (int i = 0; i < 1000; ++i) c.incr();
  });
  std::thread b([&] {
    setThreadShard(2);
    for (int i = 0; i < 500; ++i) c.incr(2);
  });
  a.join();
  b.join();
  EXPECT_EQ(c.value(), 2000u);
  EXPECT_EQ(&store.counter("rt/x/requests"), &c);
}

TEST(StatsStoreTest, HistogramPercentiles) {
  StatsStore store(1);
  auto& h = store.histogram("lat");
  for (uint64_t v = 1; v <= 1000; ++v) h.record(v);
  auto s = h.summary();
  EXPECT_EQ(s.count, 1000u);
  EXPECT_EQ(s.sum, 500500u);
  EXPECT_EQ(s.min, 1u);
  EXPECT_EQ(s.max, 1000u);
  EXPECT_NEAR(static_cast<double>(s.p50), 500, 500 * 0.04);
  EXPECT_NEAR(static_cast<double>(s.p99), 990, 990 * 0.04);
  EXPECT_LE(s.p9999, s.max);
}

TEST(StatsStoreTest, BucketsCoverTheirValues) {
  for (uint64_t v : {0ull, 1ull, 63ull, 64ull, 65ull, 1000ull, 123456789ull}) {
    auto b = BucketHistogram::bucketOf(v);
    EXPECT_LE(BucketHistogram::bucketLow(b), v);
    EXPECT_GE(BucketHistogram::bucketHigh(b), v);
  }
}

TEST(StatsStoreTest, WindowDropsTheOldestMinute) {
  StatsStore store(1);
  auto& h = store.histogram("lat");
  h.record(10);
  store.rollHistograms();  // minute 1 ends: still visible
  EXPECT_EQ(h.summary().count, 1u);
  h.record(20);
  store.rollHistograms();  // minute 2 ends: minute 1 leaves the window
  auto s = h.summary();
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.sum, 20u);
}

TEST(StatsStoreTest, HistogramRangesAppearAsValuesArriveFromEveryThread) {
  // Shard 0 is shared by every non-worker thread: they race to create the same ranges.
  StatsStore store(3);
  auto& h = store.histogram("lat");
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < 4; ++t) {
    threads.emplace_back([&h, t] {
      setThreadShard(t < 2 ? 0 : t - 1);
      for (uint64_t v = 1; v <= 20000; v += 7) h.record(v);
    });
  }
  for (auto& t : threads) t.join();
  auto s = h.summary();
  EXPECT_EQ(s.count, 4u * 2858u);
  EXPECT_EQ(s.min, 1u);
  EXPECT_EQ(s.max, 20000u);
  h.record(UINT64_MAX);  // clamps into the last range
  EXPECT_EQ(h.summary().count, 4u * 2858u + 1u);
  // The window: a roll keeps only the non-zero buckets as its base, and still subtracts them all.
  store.rollHistograms();
  store.rollHistograms();
  EXPECT_EQ(h.summary().count, 0u);
  h.record(5);
  EXPECT_EQ(h.summary().count, 1u);
  EXPECT_EQ(h.summary().p50, 5u);
}

TEST(StatsStoreTest, MetricsJsonShapes) {
  StatsStore store(1);
  store.counter("rt/r/requests").incr(3);
  store.gauge("rt/r/pending").set(2);
  store.histogram("rt/r/request_latency_ms").record(5);
  auto flat = boost::json::parse(store.metricsJson(false, "")).as_object();
  EXPECT_EQ(flat.at("rt/r/requests").as_int64(), 3);
  EXPECT_EQ(flat.at("rt/r/pending").as_int64(), 2);
  EXPECT_EQ(flat.at("rt/r/request_latency_ms.p50").to_number<uint64_t>(), 5u);
  EXPECT_TRUE(flat.contains("rt/r/request_latency_ms.p9999"));
  auto q = boost::json::parse(store.metricsJson(false, "rt/r/requests")).as_object();
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(store.metricsJson(false, "rt/nope"), "{}");
  auto tree = boost::json::parse(store.metricsTreeJson("")).as_object();
  EXPECT_EQ(tree.at("rt").at("r").at("requests").at("counter").as_int64(), 3);
  EXPECT_EQ(tree.at("rt").at("r").at("request_latency_ms").at("stat").at("count").to_number<uint64_t>(), 1u);
}

TEST(StatsStoreTest, ScopesPrefixAndPruneRemoves) {
  StatsStore store(1);
  auto scope = store.scope("namer/io.l5d.fs");
  scope->counter("lookups").incr();
  EXPECT_EQ(store.counter("namer/io.l5d.fs/lookups").value(), 1u);
  store.prune("namer/io.l5d.fs");
  EXPECT_EQ(store.metricsJson(false, "namer"), "{}");
}

}  // namespace
}  // namespace ferry::core::stats
