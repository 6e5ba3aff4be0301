#pragma once
// SlotVector<T>: objects owned in a vector, each knowing its index, for collections that are
// added to and removed from on every request (a worker's relays in flight, a connection's
// streams) and only ever walked whole, never searched.
//
// Adding and removing are O(1) without an allocation per item once the vector has grown (a
// removed item's slot is filled by the last one). Order is not kept. Not thread-safe: one
// owner thread.

#include <cstddef>
#include <memory>
#include <vector>

namespace ferry::sdk {

template <typename T>  // T has a `std::size_t slot` member, which only the SlotVector sets
class SlotVector {
 public:
  T* add(std::unique_ptr<T> item) {
    item->slot = items_.size();
    items_.push_back(std::move(item));
    return items_.back().get();
  }

  /** Removes `item` and hands it back (null if it is not in this vector). */
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
  bool empty() const { return items_.empty(); }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace ferry::sdk
