#include "core/http_client/response_parser.h"

#include <gtest/gtest.h>

namespace ferry::core::http_client {
namespace {

using Status = ResponseParser::Status;

/** Records what the parser delivers; can stop it at the head. */
struct Recorder : ResponseSink {
  int status = 0;
  sdk::HeaderList headers;
  std::string body;
  int heads = 0;
  bool stopAtHead = false;
  bool onHead(int s, const sdk::HeaderList& h) override {
    ++heads;
    status = s;
    headers = h;
    return !stopAtHead;
  }
  bool onData(std::string_view bytes) override {
    EXPECT_FALSE(bytes.empty());
    body.append(bytes);
    return true;
  }
};

/** Feeds `wire` in pieces of `step` bytes; returns the last status. */
Status feedInPieces(ResponseParser& p, std::string_view wire, std::size_t step, Recorder& r) {
  Status s = Status::NeedMore;
  for (std::size_t i = 0; i < wire.size() && s == Status::NeedMore; i += step) {
    s = p.feed(wire.substr(i, step), r);
  }
  return s;
}

TEST(ResponseParserTest, ContentLengthBodyWhateverTheSplit) {
  const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Consul-Index: 7\r\n\r\nhello";
  for (std::size_t step : {1, 2, 3, 7, 64}) {
    ResponseParser p(false);
    Recorder r;
    EXPECT_EQ(feedInPieces(p, wire, step, r), Status::Complete) << step;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[1], (std::pair<std::string, std::string>("X-Consul-Index", "7")));
  }
}

TEST(ResponseParserTest, ChunkedBodyWithExtensionsAndTrailers) {
  const std::string wire =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
      "5;name=value\r\nhello\r\nA \r\n0123456789\r\n0\r\nX-Trailer: yes\r\n\r\n";
  for (std::size_t step : {1, 5, 1000}) {
    ResponseParser p(false);
    Recorder r;
    EXPECT_EQ(feedInPieces(p, wire, step, r), Status::Complete) << step;
    EXPECT_EQ(r.body, "hello0123456789");
  }
}

TEST(ResponseParserTest, BodyUntilCloseEndsAtFinish) {
  ResponseParser p(false);
  Recorder r;
  EXPECT_EQ(p.feed("HTTP/1.0 200 OK\r\n\r\nstream", r), Status::NeedMore);
  EXPECT_EQ(p.feed(" more", r), Status::NeedMore);
  EXPECT_EQ(p.finish(), Status::Complete);
  EXPECT_EQ(r.body, "stream more");
}

TEST(ResponseParserTest, InterimResponsesAreSkipped) {
  ResponseParser p(false);
  Recorder r;
  EXPECT_EQ(p.feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", r), Status::Complete);
  EXPECT_EQ(r.heads, 1);
  EXPECT_EQ(r.status, 204);
}

TEST(ResponseParserTest, NoBodyForHeadAnd304WhateverTheLength) {
  ResponseParser head(true);
  Recorder r;
  EXPECT_EQ(head.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", r), Status::Complete);
  ResponseParser notModified(false);
  EXPECT_EQ(notModified.feed("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", r), Status::Complete);
  EXPECT_EQ(r.body, "");
}

TEST(ResponseParserTest, SinkCanStopTheParse) {
  ResponseParser p(false);
  Recorder r;
  r.stopAtHead = true;
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", r), Status::Stopped);
  EXPECT_EQ(r.body, "");
}

TEST(ResponseParserTest, ConnectionClosedEarlyIsAnError) {
  ResponseParser p(false);
  Recorder r;
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", r), Status::NeedMore);
  EXPECT_EQ(p.finish(), Status::Failed);
  EXPECT_EQ(p.error(), "connection closed before the response ended");
  ResponseParser none(false);
  EXPECT_EQ(none.finish(), Status::Failed);
  EXPECT_EQ(none.error(), "connection closed before the response head");
}

struct Malformed {
  const char* wire;
  const char* error;
};

TEST(ResponseParserTest, MalformedResponsesFailWithAReason) {
  const Malformed cases[] = {
      {"HTTP/2 200 OK\r\n\r\n", "malformed status line 'HTTP/2 200 OK'"},
      {"HTTP/1.1 2x0 OK\r\n\r\n", "malformed status line 'HTTP/1.1 2x0 OK'"},
      {"HTTP/1.1 099 Low\r\n\r\n", "malformed status line 'HTTP/1.1 099 Low'"},
      {"HTTP/1.1 200OK\r\n\r\n", "malformed status line 'HTTP/1.1 200OK'"},
      {"HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n", "malformed header field (no colon)"},
      {"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "malformed header field name 'Bad Name'"},
      {"HTTP/1.1 200 OK\r\nName : x\r\n\r\n", "malformed header field name 'Name '"},
      {"HTTP/1.1 200 OK\r\nA: 1\r\n folded\r\n\r\n", "obsolete line folding in the header"},
      {"HTTP/1.1 200 OK\r\nA: x\x01y\r\n\r\n", "malformed value of header field 'A'"},
      {"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length '-1'"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "bad Content-Length '99999999999999999999'"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", "bad Content-Length '2'"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", "bad Content-Length '1, 2'"},
      {"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
       "both Transfer-Encoding and Content-Length"},
      {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "unexpected 101 Switching Protocols"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size 'zz'"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n", "bad chunk size '-1'"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000000\r\n",
       "bad chunk size '1000000000000000'"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n", "missing CRLF after a chunk"},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n", "malformed trailer field"},
  };
  for (const auto& c : cases) {
    ResponseParser p(false);
    Recorder r;
    EXPECT_EQ(p.feed(c.wire, r), Status::Failed) << c.wire;
    EXPECT_EQ(p.error(), c.error) << c.wire;
    EXPECT_EQ(p.feed("more", r), Status::Failed) << "a failed parser stays failed";
  }
}

TEST(ResponseParserTest, BuffersAreBounded) {
  ResponseParser head(false);
  Recorder r;
  std::string endless = "HTTP/1.1 200 OK\r\nX: " + std::string(ResponseParser::kMaxHead, 'a');
  EXPECT_EQ(head.feed(endless, r), Status::Failed);
  EXPECT_EQ(head.error(), "response head larger than 64 KiB");

  ResponseParser chunkLine(false);
  EXPECT_EQ(chunkLine.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" +
                               std::string(ResponseParser::kMaxChunkLine, 'x'),
                           r),
            Status::Failed);
  EXPECT_EQ(chunkLine.error(), "chunk-size line longer than 4 KiB");

  ResponseParser trailers(false);
  std::string many = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n";
  for (int i = 0; i < 10000; ++i) many += "T: 0123456789\r\n";
  EXPECT_EQ(trailers.feed(many, r), Status::Failed);
  EXPECT_EQ(trailers.error(), "trailers larger than 64 KiB");
}

}  // namespace
}  // namespace ferry::core::http_client
