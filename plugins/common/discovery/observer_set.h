#pragma once
// ObserverSet: the lookups a discovery namer (Consul, Kubernetes) is keeping informed, grouped
// by what they look up. Each group (a Key: say datacenter and service) is resolved once per
// change, and each of its observers gets the activity for its own bound id and residual (two
// paths that differ only in case, or in what follows the name, share a group). Observers may
// add or remove observers from inside their callbacks.
//
// The namer says what a key resolves to (Resolution); an empty address set is Neg at the tree,
// not an empty leaf, so a dtab fallback takes over (Linkerd's namers do the same).
//
// Thread: main, as every namer.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/namer.h"

namespace ferry::plugins::discovery {

/** What a key resolves to right now. */
struct Resolution {
  enum class Phase { Pending, Ok, Failed, Neg };
  Phase phase = Phase::Pending;
  /** Ok: the endpoints (empty: Neg). Points into the namer's state; read at once. */
  const std::vector<sdk::Address>* addresses = nullptr;
  std::string error;  ///< Failed: why

  static Resolution pending() { return {}; }
  static Resolution neg() { return {Phase::Neg, nullptr, {}}; }
  static Resolution failed(std::string why) { return {Phase::Failed, nullptr, std::move(why)}; }
  static Resolution ok(const std::vector<sdk::Address>& addresses) { return {Phase::Ok, &addresses, {}}; }
};

template <typename Key>
class ObserverSet {
 public:
  using Resolver = std::function<Resolution(const Key&)>;
  /** The last observer of `key` went away (its watches may be released). */
  using Released = std::function<void(const Key&)>;

  /** `updates` counts activities delivered after the first (namer/<prefix>/updates). */
  ObserverSet(Resolver resolve, Released released, sdk::Counter& updates)
      : resolve_(std::move(resolve)), released_(std::move(released)), updates_(updates) {}
  ~ObserverSet() { *alive_ = false; }
  ObserverSet(const ObserverSet&) = delete;
  ObserverSet& operator=(const ObserverSet&) = delete;

  /**
   * Adds an observer of `key` whose leaves are bound as `boundId` with `residual`, and delivers
   * the current state to it before returning. The watch removes it.
   */
  sdk::WatchPtr add(const Key& key, sdk::Path boundId, sdk::Path residual, sdk::NameObserver callback) {
    uint64_t id = nextId_++;
    auto observer = std::make_shared<Observer>(Observer{std::move(boundId), std::move(residual), std::move(callback), {}, false});
    auto& group = groups_[key];
    if (!group) group = std::make_shared<Group>();
    group->observers[id] = observer;
    observer->last = activity(*observer, resolve_(key));
    observer->delivered = true;
    observer->callback(observer->last);
    return std::make_unique<Handle>(*this, key, id, alive_);
  }

  /** Resolves `key` again and tells each of its observers whose activity changed. */
  void notify(const Key& key) {
    auto found = groups_.find(key);
    if (found == groups_.end()) return;
    std::shared_ptr<Group> group = found->second;  // held: callbacks may remove it
    Resolution r = resolve_(key);
    auto observers = group->observers;
    for (auto& [id, observer] : observers) {
      if (!group->observers.count(id)) continue;
      auto next = activity(*observer, r);
      if (observer->delivered && next == observer->last) continue;
      observer->last = std::move(next);
      observer->delivered = true;
      updates_.incr();
      observer->callback(observer->last);
    }
  }

  /** notify() for every key that `pred` accepts. */
  template <typename Pred>
  void notifyIf(Pred pred) {
    std::vector<Key> keys;
    for (const auto& [key, group] : groups_) {
      if (pred(key)) keys.push_back(key);
    }
    for (const auto& key : keys) notify(key);
  }

  /** notify() for the keys in [from, to) (keys ordered so that related ones are adjacent). */
  void notifyRange(const Key& from, const Key& to) {
    std::vector<Key> keys;
    for (auto it = groups_.lower_bound(from); it != groups_.end() && it->first < to; ++it) keys.push_back(it->first);
    for (const auto& key : keys) notify(key);
  }

  bool observed(const Key& key) const { return groups_.count(key) > 0; }
  template <typename Fn>
  void forEachKey(Fn fn) const {
    for (const auto& [key, group] : groups_) fn(key);
  }
  std::size_t observerCount() const {
    std::size_t n = 0;
    for (const auto& [key, group] : groups_) n += group->observers.size();
    return n;
  }

 private:
  struct Observer {
    sdk::Path boundId;
    sdk::Path residual;
    sdk::NameObserver callback;
    sdk::NameActivity last;
    bool delivered = false;
  };
  struct Group {
    std::map<uint64_t, std::shared_ptr<Observer>> observers;
  };

  /** Removes its observer when destroyed, unless the set is gone. */
  class Handle final : public sdk::Watch {
   public:
    Handle(ObserverSet& set, Key key, uint64_t id, std::weak_ptr<bool> alive)
        : set_(set), key_(std::move(key)), id_(id), alive_(std::move(alive)) {}
    ~Handle() override {
      if (alive_.lock()) set_.remove(key_, id_);
    }

   private:
    ObserverSet& set_;
    Key key_;
    uint64_t id_;
    std::weak_ptr<bool> alive_;
  };

  static sdk::NameActivity activity(const Observer& observer, const Resolution& r) {
    using Tree = sdk::NameTree<sdk::Name>;
    switch (r.phase) {
      case Resolution::Phase::Pending: return sdk::NameActivity::pending();
      case Resolution::Phase::Failed: return sdk::NameActivity::failed(r.error);
      case Resolution::Phase::Neg: return sdk::NameActivity::ok(Tree::neg());
      case Resolution::Phase::Ok: break;
    }
    if (!r.addresses || r.addresses->empty()) return sdk::NameActivity::ok(Tree::neg());
    sdk::BoundName bound{observer.boundId, observer.residual, sdk::AddrState::bound(*r.addresses)};
    return sdk::NameActivity::ok(Tree::leaf(sdk::Name(std::move(bound))));
  }

  void remove(const Key& key, uint64_t id) {
    auto it = groups_.find(key);
    if (it == groups_.end()) return;
    it->second->observers.erase(id);
    if (!it->second->observers.empty()) return;
    groups_.erase(it);
    released_(key);
  }

  Resolver resolve_;
  Released released_;
  std::map<Key, std::shared_ptr<Group>> groups_;
  sdk::Counter& updates_;
  uint64_t nextId_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ferry::plugins::discovery
