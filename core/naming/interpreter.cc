// Reactive binding. Each evaluation re-runs the whole bind against the latest namer states; a
// namer update marks the binding dirty and re-runs it. Namer subscriptions persist between
// evaluations, so an update costs one evaluation and no new lookups.

#include "core/naming/interpreter.h"

#include <algorithm>

#include "core/naming/system_namers.h"
#include "core/naming/transformers.h"

namespace ferry::core::naming {

using sdk::BoundName;
using sdk::Name;
using sdk::NameActivity;

std::string maxDepthMessage() {
  return "Max recursion level: " + std::to_string(kMaxBindDepth) + " reached in Namer lookup";
}

LookupCache::~LookupCache() {
  // Watches go first: no callback may reach a half-destroyed cache.
  for (auto& [key, entry] : entries_) entry->watch.reset();
}

const NameActivity& LookupCache::namerLookup(const ConfiguredNamer& namer, const Path& residual) {
  auto key = std::make_pair(static_cast<const sdk::Namer*>(namer.namer), residual);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    auto entry = std::make_shared<Entry>();
    it = entries_.emplace(key, entry).first;
    std::weak_ptr<Entry> weak = entry;
    entry->watch = namer.namer->lookup(residual, [this, weak](const NameActivity& act) {
      auto e = weak.lock();
      if (!e) return;
      bool changed = !e->initialized || !(e->latest == act);
      e->latest = act;
      bool wasInitialized = e->initialized;
      e->initialized = true;
      // The first delivery during lookup() is read by the ongoing pass; later ones re-evaluate.
      if (changed && wasInitialized && onChange_) onChange_();
    });
  }
  it->second->used = true;
  return it->second->latest;
}

void LookupCache::beginPass() {
  retired_.clear();
  for (auto& [key, entry] : entries_) entry->used = false;
}

void LookupCache::endPass() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second->used) {
      // Released after the pass, not inside it: this pass may run inside that namer's callback.
      retired_.push_back(std::move(it->second->watch));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

NameActivity lookupOnce(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab,
                        const Path& path, LookupCache& cache) {
  auto fromDtab = dtab.lookup(path);
  if (fromDtab.kind() != sdk::NameTreeKind::Neg) {
    return NameActivity::ok(fromDtab.map([](const Path& p) { return Name(p); }));
  }
  for (auto it = namers.rbegin(); it != namers.rend(); ++it) {
    if (!path.startsWith(it->idPrefix)) continue;
    const NameActivity& act = cache.namerLookup(*it, path.drop(it->idPrefix.size()));
    if (act.state != NameActivity::State::Ok) return act;
    if (act.tree.kind() != sdk::NameTreeKind::Neg) return act;
  }
  if (!path.empty() && path[0] == "$") return lookupSystemNamer(path);
  return NameActivity::ok(sdk::NameTree<Name>::neg());
}

Binding::Binding(const std::vector<ConfiguredNamer>& namers, Dtab dtab, Path path, Callback callback,
                 std::vector<const sdk::Transformer*> transformers)
    : namers_(namers),
      dtab_(std::move(dtab)),
      path_(std::move(path)),
      callback_(std::move(callback)),
      transformers_(std::move(transformers)),
      cache_([this] { evaluate(); }) {
  for (const auto* t : transformers_) {
    if (auto w = t->watchChanges([this] { evaluate(); })) transformerWatches_.push_back(std::move(w));
  }
  evaluate();
}

void Binding::evaluate() {
  if (evaluating_) {
    dirty_ = true;
    return;
  }
  evaluating_ = true;
  BoundActivity result;
  do {
    dirty_ = false;
    lookupsThisPass_ = 0;
    cache_.beginPass();
    result = evalPath(path_, 0);
    cache_.endPass();
  } while (dirty_);
  evaluating_ = false;
  if (result.isOk() && !transformers_.empty()) {
    bool ready = std::all_of(transformers_.begin(), transformers_.end(), [](const auto* t) { return t->ready(); });
    result = ready ? BoundActivity::ok(applyTransformers(result.value, transformers_)) : BoundActivity::pending();
  }
  if (delivered_ && result == current_) return;
  current_ = std::move(result);
  delivered_ = true;
  if (callback_) callback_(current_);
}

BoundActivity Binding::evalPath(const Path& path, int depth) {
  if (depth > kMaxBindDepth) return BoundActivity::failed(maxDepthMessage());
  if (++lookupsThisPass_ > kMaxLookupsPerBind) {
    return BoundActivity::failed("binding " + path_.show() + " needed more than " + std::to_string(kMaxLookupsPerBind) +
                                 " lookups; the dtab probably loops");
  }
  NameActivity act = lookupOnce(namers_, dtab_, path, cache_);
  if (act.state == NameActivity::State::Pending) return BoundActivity::pending();
  if (act.state == NameActivity::State::Failed) return BoundActivity::failed(act.error);
  return evalNames(act.tree, depth + 1);
}

BoundActivity Binding::evalNames(const sdk::NameTree<Name>& tree, int depth) {
  using K = sdk::NameTreeKind;
  switch (tree.kind()) {
    case K::Leaf: {
      const Name& name = tree.value();
      if (const auto* p = std::get_if<Path>(&name)) return evalPath(*p, depth);
      return BoundActivity::ok(BoundTree::leaf(std::get<BoundName>(name)));
    }
    case K::Neg:
      return BoundActivity::ok(BoundTree::neg());
    case K::Fail:
      return BoundActivity::ok(BoundTree::fail());
    case K::Empty:
      return BoundActivity::ok(BoundTree::empty());
    case K::Alt: {
      // Ordered fallback: Neg moves on; Fail stops; anything else (Empty included) wins;
      // a pending or failed branch decides the whole Alt, later branches are not looked up.
      for (const auto& child : tree.children()) {
        BoundActivity r = evalNames(child, depth);
        if (!r.isOk()) return r;
        if (r.value.kind() == K::Neg) continue;
        return r;
      }
      return BoundActivity::ok(BoundTree::neg());
    }
    case K::Union: {
      // All branches bind; Neg and Fail branches drop out, Empty stays. Failed or pending
      // branches are ignored while another branch is Ok.
      std::vector<BoundTree> kept;
      std::vector<double> weights;
      bool anyOk = false;
      std::string firstError;
      for (std::size_t i = 0; i < tree.children().size(); ++i) {
        BoundActivity r = evalNames(tree.children()[i], depth);
        if (r.isPending()) continue;
        if (r.isFailed()) {
          if (firstError.empty()) firstError = r.error;
          continue;
        }
        anyOk = true;
        if (r.value.kind() == K::Neg || r.value.kind() == K::Fail) continue;
        kept.push_back(std::move(r.value));
        weights.push_back(tree.weights()[i]);
      }
      if (!anyOk) {
        if (!firstError.empty()) return BoundActivity::failed(firstError);
        return BoundActivity::pending();
      }
      if (kept.empty()) return BoundActivity::ok(BoundTree::neg());
      if (kept.size() == 1) return BoundActivity::ok(std::move(kept[0]));
      return BoundActivity::ok(BoundTree::unionOf(std::move(kept), std::move(weights)));
    }
  }
  return BoundActivity::ok(BoundTree::neg());
}

BoundActivity bindOnce(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab, const Path& path) {
  Binding binding(namers, dtab, path, nullptr);
  return binding.current();
}

}  // namespace ferry::core::naming
