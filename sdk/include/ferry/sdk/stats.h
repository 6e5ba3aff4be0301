#pragma once
// Stats: counters, gauges and histograms in Linkerd's hierarchical metric tree (Linkerd 1.x docs: metrics).
//
// The core owns the store and hands every plugin a scope that is already prefixed
// (`namer/<prefix>/`, `rt/<router>/client/<id>/lb/`); a plugin never builds its own prefix.
// Create metrics when the plugin is created, not per request: the handles are cheap to update
// from any thread (per-thread shards merged when read), but looking one up by name is not.

#include <cstdint>
#include <memory>
#include <string_view>

namespace ferry::sdk {

/** A cumulative count. Thread: any. Lifetime: as long as the scope that made it. */
class Counter {
 public:
  virtual ~Counter() = default;
  virtual void incr(uint64_t n = 1) = 0;
};

/** A value that goes up and down. Thread: any. */
class Gauge {
 public:
  virtual ~Gauge() = default;
  virtual void set(double value) = 0;
  virtual void add(double delta) = 0;
};

/** A distribution (latencies in ms, sizes); exported as count/min/max/avg/sum and percentiles. */
class Histogram {
 public:
  virtual ~Histogram() = default;
  virtual void record(uint64_t value) = 0;
};

class StatsScope {
 public:
  virtual ~StatsScope() = default;
  /**
   * The metric `name` under this scope; the same name returns the same object.
   * `name` may contain `/` to nest. Thread: main. Lifetime: as long as this scope's store.
   */
  virtual Counter& counter(std::string_view name) = 0;
  virtual Gauge& gauge(std::string_view name) = 0;
  virtual Histogram& histogram(std::string_view name) = 0;
  /** A child scope `<this>/<name>`. Ownership: the caller's. */
  virtual std::unique_ptr<StatsScope> scope(std::string_view name) = 0;
};

}  // namespace ferry::sdk
