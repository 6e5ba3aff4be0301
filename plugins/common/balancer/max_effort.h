#pragma once
// maxEffort, the key every Linkerd balancer shares: how many times to re-pick when the chosen
// endpoint is unavailable. Header-only, for the balancer plugins.

#include "ferry/sdk/config.h"

namespace ferry::plugins::common {

/** Reads `maxEffort` (default 5, 1 to 1000). */
inline sdk::Result<int> readMaxEffort(const sdk::ConfigView& config) {
  auto v = config.integer("maxEffort", 5);
  if (!v) return v.status();
  if (*v < 1 || *v > 1000) return sdk::Result<int>::failure(config.location() + ": maxEffort must be between 1 and 1000");
  return static_cast<int>(*v);
}

}  // namespace ferry::plugins::common
