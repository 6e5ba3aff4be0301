// sdk::parseDnsServer (sdk/dns.h): the DNS server entries the host and io.l5d.dnssrv accept.
#include "ferry/sdk/dns.h"

#include <gtest/gtest.h>

namespace {

using ferry::sdk::DnsServer;
using ferry::sdk::parseDnsServer;

DnsServer parsed(const std::string& text) {
  DnsServer out;
  std::string error;
  EXPECT_TRUE(parseDnsServer(text, out, error)) << text << ": " << error;
  return out;
}

std::string refusal(const std::string& text) {
  DnsServer out;
  std::string error;
  EXPECT_FALSE(parseDnsServer(text, out, error)) << text;
  return error;
}

TEST(DnsServerTest, AddressesAndNamesWithOrWithoutAPort) {
  auto a = parsed("127.0.0.2");
  EXPECT_EQ(a.host, "127.0.0.2");
  EXPECT_EQ(a.port, 53);
  EXPECT_TRUE(a.isAddress);
  auto b = parsed("127.0.0.1:8600");
  EXPECT_EQ(b.host, "127.0.0.1");
  EXPECT_EQ(b.port, 8600);
  auto c = parsed("[::1]:5353");
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 5353);
  EXPECT_TRUE(c.isAddress);
  auto d = parsed("fe80::1");  // a bare IPv6 address: the port is 53
  EXPECT_EQ(d.host, "fe80::1");
  EXPECT_EQ(d.port, 53);
  auto e = parsed("ns0.example.org");
  EXPECT_EQ(e.host, "ns0.example.org");
  EXPECT_FALSE(e.isAddress);
}

TEST(DnsServerTest, MalformedEntriesSayWhy) {
  EXPECT_EQ(refusal("127.0.0.1:70000"), "'127.0.0.1:70000': the port must be 1-65535");
  EXPECT_EQ(refusal("127.0.0.1:"), "'127.0.0.1:': the port must be 1-65535");
  EXPECT_EQ(refusal("[::1"), "'[::1' has no closing ']'");
  EXPECT_EQ(refusal("[::1]53"), "'[::1]53': expected ':' and a port after ']'");
  EXPECT_EQ(refusal(":53"), "':53' names no host");
  EXPECT_EQ(refusal("ns0 example"), "'ns0 example' is neither an IP address nor a host name");
}

}  // namespace
