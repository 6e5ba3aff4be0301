#pragma once
// Logging to stderr: `2026-11-27T04:50:00.123Z INFO  [component] message`.

#include <atomic>
#include <string>
#include <string_view>

#include "ferry/sdk/log.h"

namespace ferry::core::util {

/** Process-wide threshold, from `--log-level`. */
void setLogLevel(sdk::LogLevel level);
sdk::LogLevel logLevel();
/** Parses trace|debug|info|warning|error|off (case-insensitive; `warn` too). */
bool parseLogLevel(std::string_view text, sdk::LogLevel* out);

void logLine(sdk::LogLevel level, std::string_view component, std::string_view message);

/** An sdk::Logger that tags lines with a component (a plugin kind, "admin", "router/http"). */
class ComponentLogger final : public sdk::Logger {
 public:
  explicit ComponentLogger(std::string component) : component_(std::move(component)) {}
  bool enabled(sdk::LogLevel level) const override { return level >= logLevel(); }
  void log(sdk::LogLevel level, std::string_view message) override {
    if (enabled(level)) logLine(level, component_, message);
  }

 private:
  std::string component_;
};

}  // namespace ferry::core::util
