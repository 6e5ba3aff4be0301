#pragma once
// com.example.staticNamer: the teaching plugin of docs/plugin-authoring.md. It serves a fixed
// table of services from its config, which is all a namer needs to show: config parsing in the
// factory, an observable lookup, and ids under the namer's prefix.

#include <map>
#include <string>
#include <vector>

#include "ferry/sdk/namer.h"

namespace example {

//[namer
class StaticNamer final : public ferry::sdk::Namer {
 public:
  StaticNamer(std::map<std::string, std::vector<ferry::sdk::Address>> services, ferry::sdk::Path idPrefix)
      : services_(std::move(services)), idPrefix_(std::move(idPrefix)) {}

  // The first element of the path names the service; the rest is the residual. The table never
  // changes, so the observer is told once and the watch has nothing to stop.
  ferry::sdk::WatchPtr lookup(const ferry::sdk::Path& path, ferry::sdk::NameObserver observer) override {
    using namespace ferry::sdk;
    auto it = path.empty() ? services_.end() : services_.find(path[0]);
    if (it == services_.end()) {
      observer(NameActivity::ok(NameTree<Name>::neg()));  // unknown: let dtab fallbacks apply
    } else {
      BoundName bound{idPrefix_.concat(path.take(1)), path.drop(1), AddrState::bound(it->second)};
      observer(NameActivity::ok(NameTree<Name>::leaf(Name(std::move(bound)))));
    }
    return std::make_unique<Watch>();
  }

 private:
  std::map<std::string, std::vector<ferry::sdk::Address>> services_;
  ferry::sdk::Path idPrefix_;
};
//]

}  // namespace example
