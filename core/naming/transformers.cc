#include "core/naming/transformers.h"

#include <optional>

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

namespace {

/** Bound subtrees go through the transformers; Path leaves (more resolving to do) pass through. */
NameTree<Name> transformBound(const NameTree<Name>& t, const std::vector<const sdk::Transformer*>& transformers) {
  if (t.isLeaf()) {
    if (const auto* b = std::get_if<sdk::BoundName>(&t.value())) {
      auto transformed = applyTransformers(BoundTree::leaf(*b), transformers);
      return transformed.map([](const sdk::BoundName& x) { return Name(x); });
    }
    return t;
  }
  if (t.kind() == sdk::NameTreeKind::Alt || t.kind() == sdk::NameTreeKind::Union) {
    std::vector<NameTree<Name>> children;
    for (const auto& c : t.children()) children.push_back(transformBound(c, transformers));
    return t.kind() == sdk::NameTreeKind::Alt ? NameTree<Name>::alt(std::move(children))
                                              : NameTree<Name>::unionOf(std::move(children), t.weights());
  }
  return t;
}

/** One lookup through a TransformingNamer: the inner watch, and the transformers' watches,
 *  which transform the inner namer's last answer again when their own state changes. */
class TransformingWatch final : public sdk::Watch {
 public:
  struct State {
    sdk::NameObserver observer;
    std::optional<sdk::NameActivity> last;
    const std::vector<const sdk::Transformer*>* transformers = nullptr;
    void deliver() {
      if (!last) return;
      if (last->state != sdk::NameActivity::State::Ok) return observer(*last);
      for (const auto* t : *transformers) {
        if (!t->ready()) return observer(sdk::NameActivity::pending());
      }
      observer(sdk::NameActivity::ok(transformBound(last->tree, *transformers)));
    }
  };
  std::shared_ptr<State> state = std::make_shared<State>();
  std::vector<sdk::WatchPtr> transformerWatches;
  sdk::WatchPtr inner;  // last: released first, so no answer arrives into a half-destroyed watch
};

}  // namespace

sdk::WatchPtr TransformingNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  auto watch = std::make_unique<TransformingWatch>();
  auto state = watch->state;
  state->observer = std::move(observer);
  state->transformers = &transformers_;
  std::weak_ptr<TransformingWatch::State> weak = state;
  for (const auto* t : transformers_) {
    if (auto w = t->watchChanges([weak] {
          if (auto s = weak.lock()) s->deliver();
        })) {
      watch->transformerWatches.push_back(std::move(w));
    }
  }
  watch->inner = inner_.lookup(path, [weak](const sdk::NameActivity& act) {
    auto s = weak.lock();
    if (!s) return;
    s->last = act;
    s->deliver();
  });
  return watch;
}

}  // namespace ferry::core::naming
