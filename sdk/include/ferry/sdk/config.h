#pragma once
// ConfigView: a plugin's read-only window on its part of the config file.
//
// The core parses the whole file (YAML or JSON) and hands each plugin a view of its own block.
// Every key a plugin reads is recorded; a key that nobody read is reported as an error naming
// `file:line:column` and the closest key that was asked for ("did you mean 'rootDir'?"). So a
// plugin must read every key it accepts, in validate() as in create().

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/sdk/status.h"

namespace ferry::sdk {

class ConfigView {
 public:
  enum class Type { Null, Scalar, Sequence, Map };
  virtual ~ConfigView() = default;

  /** `file:line:column` of this node, for error messages. */
  virtual std::string location() const = 0;
  virtual Type type() const = 0;

  // --- maps -------------------------------------------------------------------------------
  /** Whether the map has `key`. Also records `key` as a known key for "did you mean". */
  virtual bool has(std::string_view key) const = 0;
  /** The keys present, in file order. */
  virtual std::vector<std::string> keys() const = 0;
  /** The value of `key`, marking it read; nullptr when absent or when this is not a map. */
  virtual std::unique_ptr<ConfigView> child(std::string_view key) const = 0;

  // --- sequences --------------------------------------------------------------------------
  virtual std::size_t size() const = 0;
  /** Element `i`; nullptr when out of range or not a sequence. */
  virtual std::unique_ptr<ConfigView> at(std::size_t i) const = 0;

  // --- scalars (each error names the location and the expected type) -----------------------
  virtual Result<std::string> asString() const = 0;
  virtual Result<int64_t> asInt() const = 0;
  virtual Result<double> asDouble() const = 0;
  virtual Result<bool> asBool() const = 0;

  /**
   * The subtree re-emitted as YAML text, for plugins with a grammar of their own. Every key
   * under it counts as read: the plugin answers for the whole block.
   */
  virtual std::string raw() const = 0;

  // --- helpers over the primitives above (non-virtual; same on every implementation) -------
  Result<std::string> string(std::string_view key, std::string fallback) const {
    auto c = child(key);
    return c ? c->asString() : Result<std::string>(std::move(fallback));
  }
  Result<std::string> requiredString(std::string_view key) const {
    auto c = child(key);
    if (!c) return Result<std::string>::failure(missing(key));
    return c->asString();
  }
  Result<int64_t> integer(std::string_view key, int64_t fallback) const {
    auto c = child(key);
    return c ? c->asInt() : Result<int64_t>(fallback);
  }
  Result<int64_t> requiredInteger(std::string_view key) const {
    auto c = child(key);
    if (!c) return Result<int64_t>::failure(missing(key));
    return c->asInt();
  }
  Result<double> number(std::string_view key, double fallback) const {
    auto c = child(key);
    return c ? c->asDouble() : Result<double>(fallback);
  }
  Result<bool> boolean(std::string_view key, bool fallback) const {
    auto c = child(key);
    return c ? c->asBool() : Result<bool>(fallback);
  }
  /**
   * Refuses the Linkerd keys of `keys` that are present, by name, rather than ignoring them: one
   * line per key, "<location>: 'key' (<where>) is a Linkerd setting that Ferry does not support
   * yet; remove it to run". Each refused block counts as read, so it is reported once, here.
   */
  Status refuseUnsupported(std::initializer_list<const char*> keys, std::string_view where) const {
    std::string refused;
    for (const char* k : keys) {
      if (auto c = child(k)) {
        c->raw();
        refused += std::string(refused.empty() ? "" : "\n") + c->location() + ": '" + k + "' (" + std::string(where) +
                   ") is a Linkerd setting that Ferry does not support yet; remove it to run";
      }
    }
    return refused.empty() ? Status::ok() : Status::error(refused);
  }
  /** The message used for an absent required key. */
  std::string missing(std::string_view key) const {
    return location() + ": missing required key '" + std::string(key) + "'";
  }
};

using ConfigViewPtr = std::unique_ptr<ConfigView>;

}  // namespace ferry::sdk
