#pragma once
// Plugged<T>: a plugin-made instance together with what it depends on. Members are destroyed
// in reverse order: the instance first, then its host context, then (last) the reference that
// keeps its shared object loaded. Hot reload relies on this (docs/architecture.md).

#include <memory>

#include "core/plugin/plugin_registry.h"

namespace ferry::core::plugin {

template <typename T, typename Host>
struct Plugged {
  LibraryPtr library;
  std::unique_ptr<Host> host;
  std::unique_ptr<T> instance;

  T* operator->() const { return instance.get(); }
  T& operator*() const { return *instance; }
};

}  // namespace ferry::core::plugin
