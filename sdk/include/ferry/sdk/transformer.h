#pragma once
// Transformer: rewrites a bound tree after binding (Linkerd 1.x docs: transformers), e.g. io.l5d.port sends
// every endpoint to the peer linker's port. Configured under `interpreter.transformers` (the
// router's whole result) or a namer's `transformers` (that namer's results only).
//
//   interpreter:
//     transformers:
//     - kind: io.l5d.port
//       port: 4141

#include <memory>

#include "ferry/sdk/host.h"
#include "ferry/sdk/name.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

class Transformer {
 public:
  virtual ~Transformer() = default;
  /**
   * Returns the transformed tree. Bound leaves it keeps should get ids prefixed with
   * `/%/<its prefix>` so clients, metrics and the delegator show the transformation; an
   * address set emptied by a filter becomes Neg. A leaf may also be a Path (io.l5d.replace,
   * io.l5d.const): the core binds it with the system namers (`/$/inet/...`).
   * Thread: main; called again on every change of the input. Must not block.
   */
  virtual NameTree<Name> transform(const NameTree<BoundName>& tree) const = 0;
};
using TransformerPtr = std::unique_ptr<Transformer>;

class TransformerFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kTransformer; }
  /** Thread: main. */
  virtual Result<TransformerPtr> create(const ConfigView& config, HostContext& host) const = 0;
};

/**
 * Helper for transformers that rewrite each bound leaf on its own: applies `f` to every
 * BoundName leaf and keeps the tree's shape (Alt, Union, Neg, Fail, Empty).
 */
template <typename F>
NameTree<Name> transformLeaves(const NameTree<BoundName>& tree, F&& f) {
  switch (tree.kind()) {
    case NameTreeKind::Leaf:
      return f(tree.value());
    case NameTreeKind::Alt:
    case NameTreeKind::Union: {
      std::vector<NameTree<Name>> children;
      for (const auto& c : tree.children()) children.push_back(transformLeaves(c, f));
      return tree.kind() == NameTreeKind::Alt ? NameTree<Name>::alt(std::move(children))
                                              : NameTree<Name>::unionOf(std::move(children), tree.weights());
    }
    case NameTreeKind::Neg:
      return NameTree<Name>::neg();
    case NameTreeKind::Fail:
      return NameTree<Name>::fail();
    case NameTreeKind::Empty:
      return NameTree<Name>::empty();
  }
  return NameTree<Name>::neg();
}

}  // namespace ferry::sdk
