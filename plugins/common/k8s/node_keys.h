#pragma once
// How io.l5d.k8s.daemonset and io.l5d.k8s.localnode decide that two pods share a node (Linkerd
// 1.x docs: transformers): by the node name in the address's metadata (`nodeName`, set by the
// k8s namers) when pods use the host's network, otherwise by the /24 subnet of the pod's IP,
// the per-node pod CIDR of the common network plugins.

#include <arpa/inet.h>

#include <map>
#include <string>

#include "ferry/sdk/address.h"

namespace ferry::plugins::kube {

/** "10.1.2" for 10.1.2.3 (its /24); an address that is not IPv4 is its own key. */
inline std::string subnetKey(const std::string& host) {
  in_addr a{};
  if (inet_pton(AF_INET, host.c_str(), &a) != 1) return host;
  uint32_t ip = ntohl(a.s_addr);
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." + std::to_string((ip >> 8) & 255);
}

/** The node key of an endpoint: its nodeName (hostNetwork) or its subnet; "" when unknown. */
inline std::string nodeKey(const sdk::Address& a, bool hostNetwork) {
  if (!hostNetwork) return subnetKey(a.host);
  auto node = a.meta.find("nodeName");
  return node == a.meta.end() ? std::string() : node->second;
}

}  // namespace ferry::plugins::kube
