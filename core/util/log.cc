#include "core/util/log.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace ferry::core::util {
namespace {

std::atomic<int> gLevel{static_cast<int>(sdk::LogLevel::Info)};
std::mutex gWriteMutex;

const char* levelName(sdk::LogLevel l) {
  switch (l) {
    case sdk::LogLevel::Trace: return "TRACE";
    case sdk::LogLevel::Debug: return "DEBUG";
    case sdk::LogLevel::Info: return "INFO ";
    case sdk::LogLevel::Warning: return "WARN ";
    case sdk::LogLevel::Error: return "ERROR";
    case sdk::LogLevel::Off: return "OFF  ";
  }
  return "?";
}

}  // namespace

void setLogLevel(sdk::LogLevel level) { gLevel = static_cast<int>(level); }
sdk::LogLevel logLevel() { return static_cast<sdk::LogLevel>(gLevel.load()); }

bool parseLogLevel(std::string_view text, sdk::LogLevel* out) {
  std::string t;
  for (char c : text) t.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (t == "trace") *out = sdk::LogLevel::Trace;
  else if (t == "debug") *out = sdk::LogLevel::Debug;
  else if (t == "info") *out = sdk::LogLevel::Info;
  else if (t == "warning" || t == "warn") *out = sdk::LogLevel::Warning;
  else if (t == "error") *out = sdk::LogLevel::Error;
  else if (t == "off") *out = sdk::LogLevel::Off;
  else return false;
  return true;
}

void logLine(sdk::LogLevel level, std::string_view component, std::string_view message) {
  if (level < logLevel()) return;
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
  std::lock_guard lock(gWriteMutex);
  std::fprintf(stderr, "%s.%03dZ %s [%.*s] %.*s\n", stamp, static_cast<int>(ms), levelName(level),
               static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
               message.data());
}

}  // namespace ferry::core::util
