#pragma once
// Transformer: rewrites a bound tree after binding (linkerd1.md §1.12), e.g. io.l5d.port sends
// every endpoint to the peer linker's port. Configured under `interpreter.transformers` or a
// namer's `transformers`.

#include <memory>

#include "ferry/sdk/host.h"
#include "ferry/sdk/name.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

class Transformer {
 public:
  virtual ~Transformer() = default;
  /**
   * Returns the transformed tree. Leaves it keeps get ids prefixed with `/%/<its prefix>` so
   * clients, metrics and the delegator show the transformation. An address set emptied by a
   * filter becomes Neg. Thread: main; called again on every change of the input.
   */
  virtual NameTree<BoundName> transform(const NameTree<BoundName>& tree) const = 0;
};
using TransformerPtr = std::unique_ptr<Transformer>;

class TransformerFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kTransformer; }
  /** Thread: main. */
  virtual Result<TransformerPtr> create(const ConfigView& config, HostContext& host) const = 0;
};

}  // namespace ferry::sdk
