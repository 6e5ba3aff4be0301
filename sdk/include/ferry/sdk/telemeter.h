#pragma once
// Telemeter: exports what the stats store holds (Prometheus, statsd, ...) (Linkerd 1.x docs: telemeters).

#include <functional>
#include <memory>
#include <string>

#include "ferry/sdk/host.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

/** One metric as a telemeter reads it. */
struct MetricSample {
  enum class Type { Counter, Gauge, Histogram };
  std::string name;  ///< hierarchical, `/`-separated: rt/http/server/127.0.0.1/4140/requests
  Type type = Type::Counter;
  double value = 0;  ///< counters and gauges
  /** Histograms: count, sum, min, max and percentiles p50..p9999 of the current window. */
  uint64_t count = 0, sum = 0, min = 0, max = 0, p50 = 0, p90 = 0, p95 = 0, p99 = 0, p9990 = 0, p9999 = 0;
};

/** A consistent read of every metric. Thread: main. */
class MetricsSnapshot {
 public:
  virtual ~MetricsSnapshot() = default;
  virtual void forEach(const std::function<void(const MetricSample&)>& visit) const = 0;
};

/** What a telemeter can add to the admin server: a GET route and its handler. */
struct AdminRoute {
  std::string path;
  std::string contentType;
  /** Produces the body. Thread: main. */
  std::function<std::string(const MetricsSnapshot&)> render;
};

class Telemeter {
 public:
  virtual ~Telemeter() = default;
  /** Admin routes to mount (e.g. /admin/metrics/prometheus). */
  virtual std::vector<AdminRoute> adminRoutes() const { return {}; }
  /** Starts pushing (statsd, zipkin) if the telemeter pushes. Thread: main. */
  virtual void start() {}
  /** Flushes and stops; `done` runs on the main thread when finished. */
  virtual void close(std::function<void()> done) { done(); }
};
using TelemeterPtr = std::unique_ptr<Telemeter>;

class TelemeterFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kTelemeter; }
  /** Thread: main. */
  virtual Result<TelemeterPtr> create(const ConfigView& config, HostContext& host) const = 0;
};

}  // namespace ferry::sdk
