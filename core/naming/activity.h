#pragma once
// Activity<T>: the state of an observable computation (Linkerd's Activity): pending, a value,
// or a failure. Binding results use Activity<NameTree<BoundName>>.

#include <string>
#include <utility>

#include "ferry/sdk/name.h"

namespace ferry::core::naming {

template <typename T>
struct Activity {
  enum class State { Pending, Ok, Failed };
  State state = State::Pending;
  T value{};
  std::string error;

  static Activity pending() { return Activity{}; }
  static Activity ok(T v) { return Activity{State::Ok, std::move(v), {}}; }
  static Activity failed(std::string why) { return Activity{State::Failed, T{}, std::move(why)}; }
  bool isOk() const { return state == State::Ok; }
  bool isPending() const { return state == State::Pending; }
  bool isFailed() const { return state == State::Failed; }
  friend bool operator==(const Activity& a, const Activity& b) {
    return a.state == b.state && a.value == b.value && a.error == b.error;
  }
};

using BoundTree = sdk::NameTree<sdk::BoundName>;
using BoundActivity = Activity<BoundTree>;

}  // namespace ferry::core::naming
