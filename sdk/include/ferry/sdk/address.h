#pragma once
// Addresses and address sets: what a bound name resolves to (Linkerd 1.x docs: dtabs, Name.Bound.addr).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ferry::sdk {

/** One endpoint. `host` is an IP literal or a DNS name; the core resolves names it connects to. */
struct Address {
  std::string host;
  uint16_t port = 0;
  /** Load-balancing weight (fs `* w`, union branch weights); 1.0 by default. */
  double weight = 1.0;
  /** Free-form metadata (`authority`, `nodeName`, ...), shown by the admin endpoints. */
  std::map<std::string, std::string> meta;

  friend bool operator==(const Address& a, const Address& b) {
    return a.host == b.host && a.port == b.port && a.weight == b.weight && a.meta == b.meta;
  }
  friend bool operator<(const Address& a, const Address& b) {
    if (a.host != b.host) return a.host < b.host;
    return a.port < b.port;
  }
};

/** The observable state of an endpoint set. */
struct AddrState {
  enum class Kind { Pending, Bound, Neg, Failed };
  Kind kind = Kind::Pending;
  /** Kind::Bound: the endpoints, in a stable order. */
  std::vector<Address> addresses;
  /** Kind::Failed: why. */
  std::string error;

  static AddrState pending() { return AddrState{}; }
  static AddrState neg() { return AddrState{Kind::Neg, {}, {}}; }
  static AddrState failed(std::string why) { return AddrState{Kind::Failed, {}, std::move(why)}; }
  static AddrState bound(std::vector<Address> addresses) {
    return AddrState{Kind::Bound, std::move(addresses), {}};
  }

  friend bool operator==(const AddrState& a, const AddrState& b) {
    return a.kind == b.kind && a.addresses == b.addresses && a.error == b.error;
  }
};

}  // namespace ferry::sdk
