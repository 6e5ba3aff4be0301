#pragma once
// The default interpreter (Linkerd 1.x docs: interpreters, dtabs): binds a path through a dtab, the configured
// namers and the system namers, and keeps the result current as namers report changes.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/naming/activity.h"
#include "core/naming/dtab.h"
#include "ferry/sdk/namer.h"
#include "ferry/sdk/transformer.h"

namespace ferry::core::naming {

/** A configured namer and the prefix it serves: `/#/<prefix>`. */
struct ConfiguredNamer {
  Path idPrefix;  ///< `/#/io.l5d.fs`
  sdk::Namer* namer = nullptr;
};

/** Maximum lookup depth before a bind fails (Finagle's namerMaxDepth). */
inline constexpr int kMaxBindDepth = 100;
/** The error for exceeding it, word for word as Linkerd reports it. */
std::string maxDepthMessage();
/**
 * Lookups one evaluation may make. Unions recurse into every branch, so a looping dtab such as
 * `/a => /a & /a` (which anyone can send in l5d-dtab) would otherwise take 2^100 steps on the
 * main thread before the depth limit stops it.
 */
inline constexpr int kMaxLookupsPerBind = 10000;

/**
 * Subscriptions to namer lookups for one binding, kept between evaluations. A pass marks what
 * it used; lookups no longer used are released after the pass.
 * Thread: main.
 */
class LookupCache {
 public:
  explicit LookupCache(std::function<void()> onChange) : onChange_(std::move(onChange)) {}
  ~LookupCache();

  /** Current state of `namer.lookup(residual)`, subscribing on first use. */
  const sdk::NameActivity& namerLookup(const ConfiguredNamer& namer, const Path& residual);

  void beginPass();
  void endPass();

 private:
  struct Entry {
    sdk::NameActivity latest;
    sdk::WatchPtr watch;
    bool used = false;
    bool initialized = false;
  };
  std::function<void()> onChange_;
  std::map<std::pair<const sdk::Namer*, Path>, std::shared_ptr<Entry>> entries_;
  std::vector<sdk::WatchPtr> retired_;
};

/**
 * One step of resolution for `path` (§3.4 steps 1-3): the dtab; then configured namers whose
 * prefix starts the path, last configured first, skipping Neg; then the system namers.
 * `matched` receives the dtab matches when the dtab answered (for the delegator).
 */
sdk::NameActivity lookupOnce(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab,
                             const Path& path, LookupCache& cache);

/** A live binding of one path; delivers every change of the bound tree to its callback. */
class Binding {
 public:
  using Callback = std::function<void(const BoundActivity&)>;
  /**
   * Evaluates at once (the callback runs before the constructor returns) and on every change.
   * `transformers` (the interpreter's) rewrite every successful result, in order.
   */
  Binding(const std::vector<ConfiguredNamer>& namers, Dtab dtab, Path path, Callback callback,
          std::vector<const sdk::Transformer*> transformers = {});
  const BoundActivity& current() const { return current_; }

 private:
  void evaluate();
  BoundActivity evalPath(const Path& path, int depth);
  BoundActivity evalNames(const sdk::NameTree<sdk::Name>& tree, int depth);

  const std::vector<ConfiguredNamer>& namers_;
  Dtab dtab_;
  Path path_;
  Callback callback_;
  std::vector<const sdk::Transformer*> transformers_;
  LookupCache cache_;
  /** Transformers that follow state of their own call back here (Transformer::watchChanges). */
  std::vector<sdk::WatchPtr> transformerWatches_;
  BoundActivity current_;
  bool evaluating_ = false;
  bool dirty_ = false;
  bool delivered_ = false;
  int lookupsThisPass_ = 0;
};

/** Binds once and returns the current state, without keeping the binding (tools, tests). */
BoundActivity bindOnce(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab, const Path& path);

}  // namespace ferry::core::naming
