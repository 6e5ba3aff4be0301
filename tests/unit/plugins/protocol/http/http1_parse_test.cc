// RFC 9112 parsing: what is accepted, and every ambiguity rejected with the right status.

#include "plugins/protocol/http/http1_parse.h"

#include <gtest/gtest.h>

namespace ferry::plugins::protocol::http {
namespace {

struct Parsed {
  bool ok;
  sdk::HttpRequestHead head;
  ParseError error;
  Framing framing;
};

Parsed request(const std::string& text, HeadLimits limits = {}) {
  Parsed p{};
  std::size_t end = findHeadEnd(text, limits, &p.error);
  if (end == static_cast<std::size_t>(-1) || end == 0) {
    p.ok = false;
    if (end == 0) p.error = ParseError{0, "incomplete"};
    return p;
  }
  p.ok = parseRequestHead(std::string_view(text).substr(0, end), limits, &p.head, &p.error) &&
         requestFraming(p.head.headers, &p.framing, &p.error);
  return p;
}

TEST(Http1ParseTest, SimpleRequest) {
  auto p = request("GET /a?b=1 HTTP/1.1\r\nHost: web\r\nX-Y:  z \r\n\r\n");
  ASSERT_TRUE(p.ok) << p.error.message;
  EXPECT_EQ(p.head.method, "GET");
  EXPECT_EQ(p.head.target, "/a?b=1");
  EXPECT_EQ(p.head.versionMinor, 1);
  EXPECT_EQ(p.head.host, "web");
  EXPECT_EQ(*p.head.header("x-y"), "z");
  EXPECT_EQ(p.framing.kind, Framing::Kind::None);
}

TEST(Http1ParseTest, AbsoluteFormBecomesOriginFormAndHost) {
  auto p = request("GET http://web:8080/path?q HTTP/1.1\r\nHost: other\r\n\r\n");
  ASSERT_TRUE(p.ok) << p.error.message;
  EXPECT_EQ(p.head.target, "/path?q");
  EXPECT_EQ(p.head.host, "web:8080");
  p = request("GET http://web HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(p.ok) << p.error.message;
  EXPECT_EQ(p.head.target, "/");
}

TEST(Http1ParseTest, Http10NeedsNoHost) {
  auto p = request("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.head.versionMinor, 0);
}

TEST(Http1ParseTest, Framing) {
  auto p = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.framing.kind, Framing::Kind::Length);
  EXPECT_EQ(p.framing.length, 10u);
  p = request("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(p.ok);
  EXPECT_EQ(p.framing.kind, Framing::Kind::Chunked);
  p = request("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n");
  EXPECT_TRUE(p.ok) << "identical duplicates are one length";
}

struct Bad {
  const char* text;
  int status;
};

TEST(Http1ParseTest, AmbiguousOrMalformedRequestsAreRejected) {
  const Bad cases[] = {
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},      // obs-fold
      {"GET / HTTP/1.1\nHost: a\r\n\r\n", 400},                      // bare LF
      {"GET / HTTP/1.1\r\nHost: a\n\r\n", 400},                      // bare LF in a field
      {"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},                   // space before colon
      {"GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 400},                   // invalid name
      {"GET / HTTP/1.1\r\nHost: a\x01b\r\n\r\n", 400},               // control character
      {"GET / HTTP/1.1\r\n\r\n", 400},                               // 1.1 without Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},         // two Hosts
      {"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},                   // double space
      {"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},
      {"G\"T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
      {"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400},
  };
  for (const auto& c : cases) {
    auto p = request(c.text);
    EXPECT_FALSE(p.ok) << c.text;
    EXPECT_EQ(p.error.status, c.status) << c.text << " -> " << p.error.message;
  }
}

TEST(Http1ParseTest, Limits) {
  HeadLimits limits{32, 64};
  auto p = request("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", limits);
  EXPECT_EQ(p.error.status, 414);
  p = request("GET / HTTP/1.1\r\nHost: a\r\nX: " + std::string(100, 'b') + "\r\n\r\n", limits);
  EXPECT_EQ(p.error.status, 431);
  // Still incomplete but already over the limit: rejected without waiting for the rest.
  ParseError e;
  EXPECT_EQ(findHeadEnd("GET /" + std::string(100, 'a'), limits, &e), static_cast<std::size_t>(-1));
  EXPECT_EQ(e.status, 414);
}

TEST(Http1ParseTest, ChunkedDecoding) {
  BodyDecoder d(Framing{Framing::Kind::Chunked, 0});
  std::string out;
  ParseError e;
  std::string in = "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
  // Byte by byte: the decoder never needs more than it has.
  std::size_t pos = 0;
  std::string pending;
  while (pos < in.size() && !d.done()) {
    pending.push_back(in[pos++]);
    long used = d.feed(pending, &out, &e);
    ASSERT_GE(used, 0) << e.message;
    pending.erase(0, static_cast<std::size_t>(used));
  }
  EXPECT_TRUE(d.done());
  EXPECT_EQ(out, "hello world");
  ASSERT_EQ(d.trailers().size(), 1u);
  EXPECT_EQ(d.trailers()[0].second, "t");
}

TEST(Http1ParseTest, BadChunksAreErrors) {
  for (const char* bad : {"zz\r\n", "5\r\nhelloXX", "5\nhello\r\n", "fffffffffffffffff\r\n"}) {
    BodyDecoder d(Framing{Framing::Kind::Chunked, 0});
    std::string out;
    ParseError e;
    EXPECT_LT(d.feed(bad, &out, &e), 0) << bad;
    EXPECT_EQ(e.status, 400) << bad;
  }
}

TEST(Http1ParseTest, TrailersAreBoundedAltogetherNotOnlyPerLine) {
  BodyDecoder d(Framing{Framing::Kind::Chunked, 0});
  std::string out;
  ParseError e;
  ASSERT_EQ(d.feed("0\r\n", &out, &e), 3);
  long result = 0;
  for (int i = 0; i < 1000 && result >= 0; ++i) result = d.feed("X-Trailer: 0123456789\r\n", &out, &e);
  EXPECT_LT(result, 0);
  EXPECT_EQ(e.status, 431);
  EXPECT_EQ(e.message, "trailers too large");
  EXPECT_LT(d.trailers().size(), 400u);
}

TEST(Http1ParseTest, ResponseFraming) {
  Framing f;
  ParseError e;
  sdk::HeaderList cl{{"Content-Length", "3"}};
  ASSERT_TRUE(responseFraming(cl, "HEAD", 200, &f, &e));
  EXPECT_EQ(f.kind, Framing::Kind::None);
  ASSERT_TRUE(responseFraming(cl, "GET", 304, &f, &e));
  EXPECT_EQ(f.kind, Framing::Kind::None);
  ASSERT_TRUE(responseFraming({}, "GET", 200, &f, &e));
  EXPECT_EQ(f.kind, Framing::Kind::UntilClose);
  sdk::HeaderList both{{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}};
  EXPECT_FALSE(responseFraming(both, "GET", 200, &f, &e));
  EXPECT_EQ(e.status, 502);
}

TEST(Http1ParseTest, HopByHop) {
  sdk::HeaderList h{{"Connection", "close, X-Secret"}, {"X-Secret", "1"}, {"Keep-Alive", "5"},
                    {"TE", "trailers"}, {"Upgrade", "h2c"}, {"X-Kept", "yes"}, {"Proxy-Authorization", "p"}};
  stripHopByHop(h);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].first, "X-Kept");
  EXPECT_TRUE(wantsClose({{"Connection", "close"}}, 1));
  EXPECT_TRUE(wantsClose({}, 0));
  EXPECT_FALSE(wantsClose({{"Connection", "keep-alive"}}, 0));
}

TEST(Http1ParseTest, HopByHopKeepsTheOrderOfManyHeaders) {
  // Beyond 64 headers the drop decisions no longer fit the bit mask.
  sdk::HeaderList h;
  for (int i = 0; i < 100; ++i) h.emplace_back("X-H" + std::to_string(i), std::to_string(i));
  h.emplace(h.begin() + 70, "Connection", "X-H3, x-h90");
  stripHopByHop(h);
  ASSERT_EQ(h.size(), 98u);
  EXPECT_EQ(h[2].first, "X-H2");
  EXPECT_EQ(h[3].first, "X-H4");
  EXPECT_EQ(h[88].first, "X-H89");
  EXPECT_EQ(h[89].first, "X-H91");
  EXPECT_EQ(h.back().first, "X-H99");
}

}  // namespace
}  // namespace ferry::plugins::protocol::http
