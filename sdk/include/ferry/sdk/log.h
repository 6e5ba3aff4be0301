#pragma once
// Logger: the host's log, written to stderr with a level and the emitting component.

#include <string_view>

namespace ferry::sdk {

enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warning = 3, Error = 4, Off = 5 };

class Logger {
 public:
  virtual ~Logger() = default;
  /** Whether a message at `level` would be written (check before building costly messages). */
  virtual bool enabled(LogLevel level) const = 0;
  /** Writes one line. Thread: any. */
  virtual void log(LogLevel level, std::string_view message) = 0;

  void debug(std::string_view m) { log(LogLevel::Debug, m); }
  void info(std::string_view m) { log(LogLevel::Info, m); }
  void warning(std::string_view m) { log(LogLevel::Warning, m); }
  void error(std::string_view m) { log(LogLevel::Error, m); }
};

}  // namespace ferry::sdk
