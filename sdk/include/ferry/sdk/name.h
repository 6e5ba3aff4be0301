#pragma once
// Name: what a namer lookup yields at a leaf, and Activity: the observable state of a lookup.

#include <string>
#include <variant>

#include "ferry/sdk/address.h"
#include "ferry/sdk/name_tree.h"
#include "ferry/sdk/path.h"

namespace ferry::sdk {

/**
 * A name resolved to an endpoint set (Finagle's Name.Bound).
 * `id` is the client name shown in metrics and admin pages (`/#/io.l5d.fs/web`,
 * `/$/inet/127.0.0.1/8080`); `residual` is the part of the looked-up path the namer did not
 * consume; `addr` is the current endpoint set.
 */
struct BoundName {
  Path id;
  Path residual;
  AddrState addr;

  friend bool operator==(const BoundName& a, const BoundName& b) {
    return a.id == b.id && a.residual == b.residual && a.addr == b.addr;
  }
};

/**
 * A leaf of a lookup result: either a bound name, or a path to keep resolving through the dtab
 * (rewriting namers such as `/$/io.buoyant.hostportPfx` return paths).
 */
using Name = std::variant<Path, BoundName>;

/** The state of an observable lookup (Linkerd's Activity): pending, a tree, or a failure. */
struct NameActivity {
  enum class State { Pending, Ok, Failed };
  State state = State::Pending;
  NameTree<Name> tree;
  std::string error;

  static NameActivity pending() { return NameActivity{}; }
  static NameActivity ok(NameTree<Name> tree) { return NameActivity{State::Ok, std::move(tree), {}}; }
  static NameActivity failed(std::string why) {
    return NameActivity{State::Failed, NameTree<Name>::neg(), std::move(why)};
  }
  friend bool operator==(const NameActivity& a, const NameActivity& b) {
    return a.state == b.state && a.tree == b.tree && a.error == b.error;
  }
};

}  // namespace ferry::sdk
