#pragma once
// StreamSlots<T>: the exchanges a connection owns, in a vector, each knowing its index.
//
// Adding and removing are O(1) without an allocation per stream (a removed exchange's slot is
// filled by the last one), which a hash map keyed by stream id cost on both sides of every
// relayed stream. Lookups by id are not needed: nghttp2 hands each callback its stream's
// user data. Order is not kept.

#include <cstddef>
#include <memory>
#include <vector>

namespace ferry::plugins::protocol::h2 {

template <typename T>  // T has a `std::size_t slot` member, set here
class StreamSlots {
 public:
  T* add(std::unique_ptr<T> item) {
    item->slot = items_.size();
    items_.push_back(std::move(item));
    return items_.back().get();
  }

  /** Removes `item` and hands it back (null if it is not here). */
  std::unique_ptr<T> take(T& item) {
    std::size_t i = item.slot;
    if (i >= items_.size() || items_[i].get() != &item) return nullptr;
    std::unique_ptr<T> out = std::move(items_[i]);
    if (i + 1 != items_.size()) {
      items_[i] = std::move(items_.back());
      items_[i]->slot = i;
    }
    items_.pop_back();
    return out;
  }

  std::size_t size() const { return items_.size(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace ferry::plugins::protocol::h2
