#pragma once
// FakeNamer: a namer whose answers a test sets by hand, for plugin authors and core tests.
//
//   FakeNamer namer;
//   namer.set(Path::parse("/web").value(), NameActivity::ok(...));   // observers are told
//
// Header-only; uses nothing but the SDK.

#include <map>
#include <memory>
#include <vector>

#include "ferry/sdk/namer.h"

namespace ferry::sdk::testing {

class FakeNamer final : public Namer {
 public:
  /**
   * Sets what `path` resolves to and notifies the observers it concerns. A lookup uses the
   * longest set path that prefixes it; the rest becomes the residual of bound leaves. Paths
   * with nothing set are Neg.
   */
  void set(const Path& path, NameActivity activity) {
    results_[path] = activity;
    auto observers = observers_;  // observers may unsubscribe while being told
    for (auto& [id, o] : observers) {
      if (o->path.startsWith(path) && observers_.count(id)) o->callback(resolve(o->path));
    }
  }

  /** A bound leaf at `id` with `addresses`. */
  static NameActivity bound(const Path& id, std::vector<Address> addresses, const Path& residual = Path()) {
    return NameActivity::ok(NameTree<Name>::leaf(Name(BoundName{id, residual, AddrState::bound(std::move(addresses))})));
  }

  WatchPtr lookup(const Path& path, NameObserver observer) override {
    ++lookups;
    auto id = next_++;
    auto o = std::make_shared<Observer>(Observer{path, std::move(observer)});
    observers_[id] = o;
    o->callback(resolve(path));
    return std::make_unique<Handle>(this, id, alive_);
  }

  /** Active observers (watches not yet destroyed). */
  std::size_t observerCount() const { return observers_.size(); }
  int lookups = 0;

  ~FakeNamer() override { *alive_ = false; }

 private:
  struct Observer {
    Path path;
    NameObserver callback;
  };
  class Handle final : public Watch {
   public:
    Handle(FakeNamer* n, uint64_t id, std::shared_ptr<bool> alive) : namer_(n), id_(id), alive_(std::move(alive)) {}
    ~Handle() override {
      if (*alive_) namer_->observers_.erase(id_);
    }

   private:
    FakeNamer* namer_;
    uint64_t id_;
    std::shared_ptr<bool> alive_;
  };

  NameActivity resolve(const Path& path) const {
    const std::pair<const Path, NameActivity>* best = nullptr;
    for (const auto& entry : results_) {
      if (path.startsWith(entry.first) && (!best || entry.first.size() > best->first.size())) best = &entry;
    }
    if (!best) return NameActivity::ok(NameTree<Name>::neg());
    NameActivity out = best->second;
    Path residual = path.drop(best->first.size());
    if (out.state == NameActivity::State::Ok && out.tree.isLeaf()) {
      if (const auto* b = std::get_if<BoundName>(&out.tree.value())) {
        BoundName copy = *b;
        copy.residual = copy.residual.concat(residual);
        out.tree = NameTree<Name>::leaf(Name(std::move(copy)));
      }
    }
    return out;
  }

  std::map<Path, NameActivity> results_;
  std::map<uint64_t, std::shared_ptr<Observer>> observers_;
  uint64_t next_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::sdk::testing
