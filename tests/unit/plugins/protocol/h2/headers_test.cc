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

TEST(H2HeadersTest, UpperCaseIsFoundAtAnyPosition) {
  // The check reads eight bytes at a time: a capital letter first, last, across the boundary
  // and in a short tail must all be lower-cased.
  sdk::HeaderList in{{"Abcdefgh", "1"}, {"abcdefgH", "2"}, {"abcdefghIjk", "3"}, {"abcdefghijklmnoP", "4"},
                     {"aZ", "5"},       {"x-@[`{", "6"},           {"aBc", "7"},   {"abcDe", "8"},
                     {"abcdefG", "9"},  {"Q", "10"}};
  auto out = regularFields(in);
  EXPECT_EQ(out, (sdk::HeaderList{{"abcdefgh", "1"},
                                  {"abcdefgh", "2"},
                                  {"abcdefghijk", "3"},
                                  {"abcdefghijklmnop", "4"},
                                  {"az", "5"},
                                  {"x-@[`{", "6"},
                                  {"abc", "7"},
                                  {"abcde", "8"},
                                  {"abcdefg", "9"},
                                  {"q", "10"}}));
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

TEST(H2HeadersTest, CopyIntoKeepsTheStringsAndReusesItsBuffer) {
  auto head = std::make_unique<sdk::HttpRequestHead>();
  head->method = "GET";
  head->target = "/a";
  head->host = "web";
  head->headers = {{"x-long-header-name", "a value longer than the small-string buffer"}};
  BlockBytes storage;
  {
    HeaderBlock b;
    requestBlock(*head, "http", b);
    b.copyInto(storage);
    head.reset();  // the head's strings are gone; the block's fields must not be
    EXPECT_EQ(fields(b), (std::vector<std::pair<std::string, std::string>>{
                             {":method", "GET"},
                             {":scheme", "http"},
                             {":authority", "web"},
                             {":path", "/a"},
                             {"x-long-header-name", "a value longer than the small-string buffer"}}));
    for (std::size_t i = 0; i < b.size(); ++i) {
      EXPECT_EQ(b.data()[i].flags & (NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE),
                NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE);
    }
  }
  // Only what is not a literal was copied: GET, web, /a and the regular field.
  EXPECT_EQ(storage.capacity, 3u + 3u + 2u + 18u + 43u);
  const char* buffer = storage.data.get();
  HeaderBlock smaller;
  smaller.add("a", "1");
  smaller.copyInto(storage);
  EXPECT_EQ(storage.data.get(), buffer);
  EXPECT_EQ(fields(smaller), (std::vector<std::pair<std::string, std::string>>{{"a", "1"}}));
}

TEST(H2HeadersTest, RequestPseudoHeadersFillTheHead) {
  sdk::HttpRequestHead head;
  takeRequestPseudoHeaders({{":method", "POST"},
                            {":scheme", "http"},
                            {":authority", "web"},
                            {":path", "/pkg.Service/Method"},
                            {"content-type", "application/grpc"}},
                           head);
  EXPECT_EQ(head.method, "POST");
  EXPECT_EQ(head.target, "/pkg.Service/Method");
  EXPECT_EQ(head.host, "web");
  sdk::HttpRequestHead bare;
  takeRequestPseudoHeaders({{":method", "GET"}, {":path", "/"}}, bare);  // no :authority: left empty
  EXPECT_EQ(bare.host, "");
}

TEST(H2HeadersTest, WithoutPseudoKeepsTheRest) {
  EXPECT_EQ(withoutPseudo({{":status", "200"}, {"grpc-status", "0"}}), (sdk::HeaderList{{"grpc-status", "0"}}));
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
