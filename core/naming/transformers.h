#pragma once
// Applying transformers (Linkerd 1.x docs: transformers) to bound trees, and a namer that transforms the
// results of another (a namer's own `transformers`).

#include <vector>

#include "core/naming/activity.h"
#include "ferry/sdk/namer.h"
#include "ferry/sdk/transformer.h"

namespace ferry::core::naming {

/** Runs `transformers` in order; Path leaves they produce are bound with the system namers. */
BoundTree applyTransformers(const BoundTree& tree, const std::vector<const sdk::Transformer*>& transformers);

/** Wraps `inner`: every bound leaf of its answers goes through `transformers`. Thread: main. */
class TransformingNamer final : public sdk::Namer {
 public:
  TransformingNamer(sdk::Namer& inner, std::vector<const sdk::Transformer*> transformers)
      : inner_(inner), transformers_(std::move(transformers)) {}
  sdk::WatchPtr lookup(const sdk::Path& path, sdk::NameObserver observer) override;
  std::string stateJson() const override { return inner_.stateJson(); }
  std::vector<sdk::Path> boundNames() const override { return inner_.boundNames(); }

 private:
  sdk::Namer& inner_;
  std::vector<const sdk::Transformer*> transformers_;
};

}  // namespace ferry::core::naming
