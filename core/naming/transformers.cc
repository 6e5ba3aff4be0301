#include "core/naming/transformers.h"

#include "core/naming/system_namers.h"

namespace ferry::core::naming {
namespace {

using sdk::Name;
using sdk::NameTree;

/** Binds the Path leaves a transformer produced, with the system namers only (a few steps). */
BoundTree bindLocally(const NameTree<Name>& tree, int depth) {
  switch (tree.kind()) {
    case sdk::NameTreeKind::Leaf: {
      if (const auto* b = std::get_if<sdk::BoundName>(&tree.value())) return BoundTree::leaf(*b);
      if (depth > 8) return BoundTree::fail();
      auto act = lookupSystemNamer(std::get<sdk::Path>(tree.value()));
      if (act.state != sdk::NameActivity::State::Ok) return BoundTree::fail();
      return bindLocally(act.tree, depth + 1);
    }
    case sdk::NameTreeKind::Alt:
    case sdk::NameTreeKind::Union: {
      std::vector<BoundTree> children;
      for (const auto& c : tree.children()) children.push_back(bindLocally(c, depth));
      return tree.kind() == sdk::NameTreeKind::Alt ? BoundTree::alt(std::move(children))
                                                   : BoundTree::unionOf(std::move(children), tree.weights());
    }
    case sdk::NameTreeKind::Neg: return BoundTree::neg();
    case sdk::NameTreeKind::Fail: return BoundTree::fail();
    case sdk::NameTreeKind::Empty: return BoundTree::empty();
  }
  return BoundTree::neg();
}

/** Alt nodes left by a transformer resolve as in binding: the first branch that is not Neg. */
BoundTree simplifyAlts(const BoundTree& tree) {
  if (tree.kind() == sdk::NameTreeKind::Alt) {
    for (const auto& c : tree.children()) {
      auto s = simplifyAlts(c);
      if (s.kind() != sdk::NameTreeKind::Neg) return s;
    }
    return BoundTree::neg();
  }
  if (tree.kind() == sdk::NameTreeKind::Union) {
    std::vector<BoundTree> kept;
    std::vector<double> weights;
    for (std::size_t i = 0; i < tree.children().size(); ++i) {
      auto s = simplifyAlts(tree.children()[i]);
      if (s.kind() == sdk::NameTreeKind::Neg || s.kind() == sdk::NameTreeKind::Fail) continue;
      kept.push_back(std::move(s));
      weights.push_back(tree.weights()[i]);
    }
    if (kept.empty()) return BoundTree::neg();
    if (kept.size() == 1) return kept[0];
    return BoundTree::unionOf(std::move(kept), std::move(weights));
  }
  return tree;
}

}  // namespace

BoundTree applyTransformers(const BoundTree& tree, const std::vector<const sdk::Transformer*>& transformers) {
  BoundTree out = tree;
  for (const auto* t : transformers) out = simplifyAlts(bindLocally(t->transform(out), 0));
  return out;
}

sdk::WatchPtr TransformingNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  return inner_.lookup(path, [this, observer = std::move(observer)](const sdk::NameActivity& act) {
    if (act.state != sdk::NameActivity::State::Ok) return observer(act);
    // Bound subtrees are transformed; Path leaves (more resolving to do) pass through.
    std::function<NameTree<Name>(const NameTree<Name>&)> walk = [&](const NameTree<Name>& t) -> NameTree<Name> {
      if (t.isLeaf()) {
        if (const auto* b = std::get_if<sdk::BoundName>(&t.value())) {
          auto transformed = applyTransformers(BoundTree::leaf(*b), transformers_);
          return transformed.map([](const sdk::BoundName& x) { return Name(x); });
        }
        return t;
      }
      if (t.kind() == sdk::NameTreeKind::Alt || t.kind() == sdk::NameTreeKind::Union) {
        std::vector<NameTree<Name>> children;
        for (const auto& c : t.children()) children.push_back(walk(c));
        return t.kind() == sdk::NameTreeKind::Alt ? NameTree<Name>::alt(std::move(children))
                                                  : NameTree<Name>::unionOf(std::move(children), t.weights());
      }
      return t;
    };
    observer(sdk::NameActivity::ok(walk(act.tree)));
  });
}

}  // namespace ferry::core::naming
