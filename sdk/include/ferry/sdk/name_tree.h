#pragma once
// NameTree<T>: the routing language's value (Linkerd 1.x docs: dtabs).
//
// Six cases: Leaf(T); Alt (ordered fallback); Union (weighted split); Neg (`~`, "no such name,
// try the next alternative"); Fail (`!`, stop falling back); Empty (`$`, the name exists but has
// no members). Immutable and cheap to copy: children are shared.

#include <memory>
#include <utility>
#include <vector>

namespace ferry::sdk {

enum class NameTreeKind { Leaf, Alt, Union, Neg, Fail, Empty };

template <typename T>
class NameTree {
 public:
  /** Default: Neg. */
  NameTree() : kind_(NameTreeKind::Neg) {}

  static NameTree leaf(T value) {
    NameTree t(NameTreeKind::Leaf);
    t.leaf_ = std::make_shared<const T>(std::move(value));
    return t;
  }
  /** Ordered fallback between `children`. */
  static NameTree alt(std::vector<NameTree> children) {
    NameTree t(NameTreeKind::Alt);
    t.children_ = std::move(children);
    return t;
  }
  /** Weighted split; `weights[i]` belongs to `children[i]` (1.0 when not written). */
  static NameTree unionOf(std::vector<NameTree> children, std::vector<double> weights) {
    NameTree t(NameTreeKind::Union);
    t.children_ = std::move(children);
    t.weights_ = std::move(weights);
    t.weights_.resize(t.children_.size(), 1.0);
    return t;
  }
  static NameTree neg() { return NameTree(NameTreeKind::Neg); }
  static NameTree fail() { return NameTree(NameTreeKind::Fail); }
  static NameTree empty() { return NameTree(NameTreeKind::Empty); }

  NameTreeKind kind() const { return kind_; }
  bool isLeaf() const { return kind_ == NameTreeKind::Leaf; }
  /** The leaf value. Precondition: isLeaf(). */
  const T& value() const { return *leaf_; }
  /** Children of an Alt or a Union (empty otherwise). */
  const std::vector<NameTree>& children() const { return children_; }
  /** Union weights, parallel to children() (empty for other kinds). */
  const std::vector<double>& weights() const { return weights_; }

  /** Structural equality (weights compared exactly). */
  friend bool operator==(const NameTree& a, const NameTree& b) {
    if (a.kind_ != b.kind_) return false;
    if (a.kind_ == NameTreeKind::Leaf) return *a.leaf_ == *b.leaf_;
    return a.children_ == b.children_ && a.weights_ == b.weights_;
  }
  friend bool operator!=(const NameTree& a, const NameTree& b) { return !(a == b); }

  /** Applies `f` to every leaf, keeping the shape. */
  template <typename F>
  auto map(F&& f) const -> NameTree<decltype(f(std::declval<const T&>()))> {
    using U = decltype(f(std::declval<const T&>()));
    switch (kind_) {
      case NameTreeKind::Leaf:
        return NameTree<U>::leaf(f(*leaf_));
      case NameTreeKind::Alt:
      case NameTreeKind::Union: {
        std::vector<NameTree<U>> out;
        out.reserve(children_.size());
        for (const auto& c : children_) out.push_back(c.map(f));
        return kind_ == NameTreeKind::Alt ? NameTree<U>::alt(std::move(out))
                                          : NameTree<U>::unionOf(std::move(out), weights_);
      }
      case NameTreeKind::Neg:
        return NameTree<U>::neg();
      case NameTreeKind::Fail:
        return NameTree<U>::fail();
      case NameTreeKind::Empty:
        return NameTree<U>::empty();
    }
    return NameTree<U>::neg();
  }

 private:
  explicit NameTree(NameTreeKind kind) : kind_(kind) {}
  NameTreeKind kind_;
  std::shared_ptr<const T> leaf_;
  std::vector<NameTree> children_;
  std::vector<double> weights_;
};

}  // namespace ferry::sdk
