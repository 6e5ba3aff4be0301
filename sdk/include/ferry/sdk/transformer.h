#pragma once
// Transformer: rewrites a bound tree after binding (Linkerd 1.x docs: transformers), e.g. io.l5d.port sends
// every endpoint to the peer linker's port. Configured under `interpreter.transformers` (the
// router's whole result) or a namer's `transformers` (that namer's results only).
//
//   interpreter:
//     transformers:
//     - kind: io.l5d.port
//       port: 4141

#include <functional>
#include <memory>

#include "ferry/sdk/file_watch.h"
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

  /**
   * For transformers whose output depends on state they watch as well as on their input
   * (io.l5d.k8s.daemonset follows the daemonset's pods): `onChange` is to be called whenever
   * transform() would now give another result for the same input, and the core transforms
   * again. The returned watch stops the calls; several may be active at once (one per binding).
   * The default, for transformers that depend on their input alone, returns nullptr.
   * Thread: main (registration and calls). Ownership: the caller owns the watch; the
   * transformer outlives it.
   */
  virtual WatchPtr watchChanges(std::function<void()> onChange) const {
    (void)onChange;
    return nullptr;
  }

  /**
   * False while the transformer cannot transform yet because the state it follows is still
   * being fetched (nothing known, no error either): the core then holds the binding pending,
   * as it does for a namer's pending lookup, until watchChanges reports a change. Default:
   * always ready. Thread: main.
   */
  virtual bool ready() const { return true; }
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

/**
 * Helper for transformers that filter endpoints (io.l5d.localhost, io.l5d.k8s.localnode): each
 * bound leaf keeps the addresses `keep` accepts, under the id `prefix` ++ id; a leaf left with
 * none becomes Neg; leaves that are not bound keep their state under the new id.
 */
template <typename Keep>
NameTree<Name> keepAddresses(const NameTree<BoundName>& tree, const Path& prefix, Keep&& keep) {
  return transformLeaves(tree, [&](const BoundName& b) {
    BoundName out = b;
    out.id = prefix.concat(b.id);
    if (b.addr.kind != AddrState::Kind::Bound) return NameTree<Name>::leaf(Name(std::move(out)));
    out.addr.addresses.clear();
    for (const auto& a : b.addr.addresses) {
      if (keep(a)) out.addr.addresses.push_back(a);
    }
    if (out.addr.addresses.empty()) return NameTree<Name>::neg();
    return NameTree<Name>::leaf(Name(std::move(out)));
  });
}

}  // namespace ferry::sdk
