#pragma once
// Namer: turns a concrete name (`/#/<prefix>/...`) into a tree of bound endpoint sets.
//
// Config (Linkerd 1.x docs: namers):
//   namers:
//   - kind: io.l5d.fs            # the factory's kind
//     prefix: /io.l5d.fs         # optional; default /<kind>; served at /#/<prefix>
//     rootDir: disco             # the plugin's own keys
//
// Lookups are observable: a namer keeps each lookup's observer informed until its watch is
// destroyed, so routing reacts to discovery without any request (Linkerd's Activity).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/config.h"
#include "ferry/sdk/file_watch.h"
#include "ferry/sdk/host.h"
#include "ferry/sdk/name.h"
#include "ferry/sdk/path.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

/** Receives a lookup's states. Thread: main. */
using NameObserver = std::function<void(const NameActivity&)>;

class Namer {
 public:
  virtual ~Namer() = default;
  /**
   * Starts observing `path` (the part after `/#/<prefix>`). `observer` gets the current state,
   * possibly before lookup returns, then every change, until the returned watch is destroyed.
   * Bound leaves use ids `/#/<prefix>/...` (see NamerContext::idPrefix).
   * A result of Neg means "no such name" (dtab fallbacks then apply); a failed activity fails
   * the whole bind.
   * Thread: main. Ownership: the caller owns the watch; the namer outlives it.
   */
  virtual WatchPtr lookup(const Path& path, NameObserver observer) = 0;

  /** For `/namer_state/<prefix>.json`: the namer's internal state as a JSON document. */
  virtual std::string stateJson() const { return "{}"; }

  /** Enumerating namers (io.l5d.fs, io.l5d.k8s) list their ids here for `/bound-names.json`. */
  virtual std::vector<Path> boundNames() const { return {}; }
};
using NamerPtr = std::unique_ptr<Namer>;

/** What a namer instance is told about where it lives. */
struct NamerContext {
  /** The configured prefix without `/#`, e.g. `/io.l5d.fs`. */
  Path prefix;
  /** `/#` ++ prefix: the start of every id this namer binds. */
  Path idPrefix;
  HostContext* host = nullptr;
};

class NamerFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kNamer; }
  /**
   * Creates the namer. It may start watches (files, HTTP) through `context.host`.
   * Thread: main. Ownership: the caller's; `context.host` outlives the namer.
   */
  virtual Result<NamerPtr> create(const ConfigView& config, const NamerContext& context) const = 0;
};

}  // namespace ferry::sdk
