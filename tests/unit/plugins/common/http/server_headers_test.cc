// The request headers every HTTP server codec adds (Via, Forwarded, timestamp) and loop detection.

#include "plugins/common/http/server_headers.h"

#include <gtest/gtest.h>

namespace ferry::plugins::common::http {
namespace {

TEST(ServerHeadersTest, ViaCountCountsEveryEntryOfEveryViaHeader) {
  EXPECT_EQ(viaCount({{"Via", "1.1 a, 1.1 b"}, {"via", "1.1 c"}}), 3u);
  EXPECT_EQ(viaCount({{"x-via", "1.1 a"}}), 0u);
}

TEST(ServerHeadersTest, StamperAddsViaTimestampAndForwarded) {
  ServerHeaderSettings settings;
  settings.timestampHeader = "x-request-start";
  settings.forwarded = std::make_pair(ForwardedLabeler{ForwardedLabeler::Kind::Static, "edge"},
                                      ForwardedLabeler{ForwardedLabeler::Kind::Ip, ""});
  RequestHeaderStamper stamper(settings, "h2 ferry");
  sdk::HeaderList headers;
  stamper.stamp(headers, "127.0.0.1:4142", "[::1]:5555");
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"via", "h2 ferry"}));
  EXPECT_EQ(headers[1].first, "x-request-start");
  EXPECT_GT(std::stoll(headers[1].second), 1600000000000LL);
  EXPECT_EQ(headers[2], (std::pair<std::string, std::string>{"forwarded", "by=edge;for=\"[::1]\""}));
}

TEST(ServerHeadersTest, ConnectionRandomLabelIsStablePerConnection) {
  ServerHeaderSettings settings;
  settings.forwarded = std::make_pair(ForwardedLabeler{ForwardedLabeler::Kind::ConnectionRandom, ""},
                                      ForwardedLabeler{ForwardedLabeler::Kind::RequestRandom, ""});
  RequestHeaderStamper stamper(settings, "1.1 ferry");
  sdk::HeaderList a, b;
  stamper.stamp(a, "l", "p");
  stamper.stamp(b, "l", "p");
  auto by = [](const std::string& v) { return v.substr(0, v.find(';')); };
  auto forWhom = [](const std::string& v) { return v.substr(v.find(';')); };
  EXPECT_EQ(by(a[1].second), by(b[1].second));
  EXPECT_NE(forWhom(a[1].second), forWhom(b[1].second));
  EXPECT_EQ(by(a[1].second).size(), std::string("by=_abcdef").size());
}

}  // namespace
}  // namespace ferry::plugins::common::http
