#pragma once
// sdk::DnsResolver over c-ares (core/dns/cares_channel.h): SRV records, then their targets'
// addresses, within the lookup's deadline. One channel per distinct server list, kept for the
// life of the process (a config names few); the system's own channel (/etc/resolv.conf) also
// finds the addresses of servers given by name (Linkerd's dnsHosts may be host names).
//
// Thread: main only.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "core/dns/cares_channel.h"
#include "ferry/sdk/dns.h"

namespace ferry::core::dns {

class CaresResolver final : public sdk::DnsResolver {
 public:
  explicit CaresResolver(boost::asio::io_context& io) : io_(io) {}

  sdk::DnsQueryPtr lookupSrv(sdk::SrvLookup lookup, std::function<void(sdk::SrvAnswer)> done) override;

 private:
  class Servers;
  class Lookup;

  /** The channel for `servers` (the system's for an empty list), created on first use. */
  std::shared_ptr<Servers> serversFor(const std::vector<std::string>& servers, std::string& error);

  boost::asio::io_context& io_;
  std::shared_ptr<CaresChannel> system_;
  std::map<std::vector<std::string>, std::shared_ptr<Servers>> channels_;
};

}  // namespace ferry::core::dns
