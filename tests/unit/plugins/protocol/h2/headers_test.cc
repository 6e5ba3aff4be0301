// HTTP/2 header blocks: what may be sent on h2 (RFC 9113 §8.2.2), and blocks built without copies.

#include "plugins/protocol/h2/headers.h"

#include <gtest/gtest.h>

namespace ferry::plugins::protocol::h2 {
namespace {

std::vector<std::pair<std::string, std::string>> fields(const HeaderBlock& b) {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const auto& nv = b.data()[i];
    out.emplace_back(std::string(reinterpret_cast<const char*>(nv.name), nv.namelen),
                     std::string(reinterpret_cast<const char*>(nv.value), nv.valuelen));
  }
  return out;
}

TEST(H2HeadersTest, RegularFieldsDropConnectionSpecificAndLowerCaseNames) {
  sdk::HeaderList in{{":path", "/"},          {"Connection", "close, X-Hop"}, {"X-Hop", "1"},
                     {"Keep-Alive", "5"},     {"Transfer-Encoding", "chunked"}, {"Upgrade", "h2c"},
                     {"Host", "web"},         {"TE", "gzip"},                  {"te", "trailers"},
                     {"Proxy-Connection", "x"}, {"X-Kept", "yes"}};
  auto out = regularFields(in);
  EXPECT_EQ(out, (sdk::HeaderList{{"te", "trailers"}, {"x-kept", "yes"}}));
}

TEST(H2HeadersTest, RequestBlockPutsPseudoHeadersFirstFromTheHead) {
  sdk::HttpRequestHead head;
  head.method = "POST";
  head.target = "/pkg.Service/Method";  // a rewritten target wins over the :path received
  head.host = "web";
  head.headers = {{":path", "/old"}, {":authority", "old"}, {"content-type", "application/grpc"}, {"Via", "h2 a"}};
  HeaderBlock b;
  requestBlock(head, "http", b);
  EXPECT_EQ(fields(b), (std::vector<std::pair<std::string, std::string>>{{":method", "POST"},
                                                                         {":scheme", "http"},
                                                                         {":authority", "web"},
                                                                         {":path", "/pkg.Service/Method"},
                                                                         {"content-type", "application/grpc"},
                                                                         {"via", "h2 a"}}));
}

TEST(H2HeadersTest, ResponseBlockHasStatusAndVia) {
  sdk::HttpResponseHead head;
  head.status = 503;
  head.headers = {{"l5d-err", "x"}, {"Content-Length", "2"}};
  HeaderBlock b;
  responseBlock(head, "h2 ferry", b);
  EXPECT_EQ(fields(b), (std::vector<std::pair<std::string, std::string>>{
                           {":status", "503"}, {"l5d-err", "x"}, {"content-length", "2"}, {"via", "h2 ferry"}}));
}

TEST(H2HeadersTest, NestedBlocksDoNotShareTheScratchArray) {
  HeaderBlock outer;
  outer.add("a", "1");
  {
    HeaderBlock inner;  // the scratch array is taken: this one has its own
    inner.add("b", "2");
    EXPECT_EQ(fields(inner).size(), 1u);
  }
  outer.add("c", "3");
  EXPECT_EQ(fields(outer), (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"c", "3"}}));
}

TEST(H2HeadersTest, WithoutPseudoKeepsTheRest) {
  EXPECT_EQ(withoutPseudo({{":status", "200"}, {"grpc-status", "0"}}), (sdk::HeaderList{{"grpc-status", "0"}}));
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
