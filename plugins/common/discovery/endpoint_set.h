#pragma once
// The endpoint set a discovery namer hands over: sorted by host and port, one address per host
// and port (two records or instances naming the same endpoint are one endpoint, and the first
// keeps its weight and metadata). The order matters: an unchanged set compares equal, so
// observers are not told about it again.
//
// Thread: any (a pure function).

#include <algorithm>
#include <vector>

#include "ferry/sdk/address.h"

namespace ferry::plugins::discovery {

inline void sortAndMerge(std::vector<sdk::Address>& addresses) {
  std::stable_sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end(),
                              [](const sdk::Address& a, const sdk::Address& b) {
                                return a.host == b.host && a.port == b.port;
                              }),
                  addresses.end());
}

}  // namespace ferry::plugins::discovery
