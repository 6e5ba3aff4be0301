// The HTTP/2 rules Ferry applies to upstream responses (instead of nghttp2's checks).

#include "plugins/protocol/h2/response_checks.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ferry::plugins::protocol::h2 {
namespace {

using Verdict = ResponseChecks::Verdict;

// The byte-at-a-time reading of the rules, to hold the eight-bytes-at-a-time code against.
bool referenceName(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == ':') {
    if (s.size() == 1) return false;
    s.remove_prefix(1);
  }
  for (char c : s) {
    if (std::string_view("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz").find(c) == std::string_view::npos) return false;
  }
  return true;
}

bool referenceValue(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t') return false;
  for (char c : s) {
    auto b = static_cast<uint8_t>(c);
    if ((b < 0x20 && b != '\t') || b == 0x7f) return false;
  }
  return true;
}

TEST(ResponseChecksTest, NamesAndValuesMatchTheByteByByteRules) {
  // Every byte value at every position of names and values of 1 to 20 bytes, in a valid frame.
  for (std::size_t len = 1; len <= 20; ++len) {
    for (std::size_t at = 0; at < len; ++at) {
      for (int b = 0; b < 256; ++b) {
        std::string name(len, 'a'), value(len, 'v');
        name[at] = static_cast<char>(b);
        value[at] = static_cast<char>(b);
        ASSERT_EQ(validFieldName(name), referenceName(name)) << "name len " << len << " byte " << b << " at " << at;
        ASSERT_EQ(validFieldValue(value), referenceValue(value)) << "value len " << len << " byte " << b << " at " << at;
      }
    }
  }
  EXPECT_TRUE(validFieldName("x-request-id_2"));
  EXPECT_FALSE(validFieldName(""));
  EXPECT_FALSE(validFieldName(":"));
  EXPECT_TRUE(validFieldValue(""));
  EXPECT_TRUE(validFieldValue("a\tb"));
}

/** Runs a head block through the checks: the first failing rule's text, or the verdicts. */
struct Block {
  std::vector<Verdict> verdicts;
  const char* why = nullptr;
};

Block head(ResponseChecks& c, const std::vector<std::pair<std::string, std::string>>& fields, bool endStream = false) {
  Block b;
  c.beginBlock();
  for (const auto& [n, v] : fields) {
    auto verdict = c.field(n, v, &b.why);
    b.verdicts.push_back(verdict);
    if (verdict == Verdict::StreamError) return b;
  }
  if (!c.endBlock(endStream, &b.why)) b.verdicts.push_back(Verdict::StreamError);
  return b;
}

bool failed(const Block& b) { return !b.verdicts.empty() && b.verdicts.back() == Verdict::StreamError; }

TEST(ResponseChecksTest, AnOrdinaryResponsePasses) {
  ResponseChecks c;
  c.requestMethod("GET");
  auto b = head(c, {{":status", "200"}, {"content-type", "text/plain"}, {"content-length", "5"}});
  EXPECT_FALSE(failed(b)) << b.why;
  EXPECT_EQ(c.status(), 200);
  const char* why = nullptr;
  EXPECT_TRUE(c.data(2, &why));
  EXPECT_TRUE(c.data(3, &why));
  EXPECT_TRUE(c.end(&why));
}

TEST(ResponseChecksTest, MalformedHeadsAreStreamErrors) {
  for (const auto& fields : std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"content-type", "x"}},                        // no :status
           {{":status", "20"}},                            // not three digits
           {{":status", "2x0"}},
           {{":status", "101"}},                           // no 101 in HTTP/2
           {{":status", "200"}, {":status", "200"}},       // twice
           {{"server", "x"}, {":status", "200"}},          // pseudo-header after a regular field
           {{":status", "200"}, {":path", "/"}},           // a request pseudo-header
           {{":status", "200"}, {"Content-Type", "x"}},    // upper case
           {{":stat us", "200"}},                          // malformed pseudo-header name
           {{":status", " 200"}},                          // malformed pseudo-header value
           {{":status", "200"}, {"connection", "close"}},  // connection-specific fields
           {{":status", "200"}, {"keep-alive", "5"}},
           {{":status", "200"}, {"proxy-connection", "x"}},
           {{":status", "200"}, {"transfer-encoding", "chunked"}},
           {{":status", "200"}, {"upgrade", "h2c"}},
           {{":status", "200"}, {"te", "gzip"}},
           {{":status", "200"}, {"content-length", "1x"}},
           {{":status", "200"}, {"content-length", "1"}, {"content-length", "1"}},
           {{":status", "100"}, {"content-length", "0"}},  // no length on 1xx
           {{":status", "204"}, {"content-length", "3"}},  // 204: only 0
       }) {
    ResponseChecks c;
    c.requestMethod("GET");
    auto b = head(c, fields);
    EXPECT_TRUE(failed(b)) << fields.front().first << ": " << fields.front().second;
    EXPECT_NE(b.why, nullptr);
  }
}

TEST(ResponseChecksTest, MalformedRegularFieldsAreStreamErrors) {
  for (const auto& field : std::vector<std::pair<std::string, std::string>>{
           {"x-bad", "a\x01z"}, {"x-bad", "a\r\nz"}, {"x-bad", " padded"}, {"x-bad", "padded\t"}, {"bad name", "x"}, {"", "x"}}) {
    ResponseChecks c;
    auto b = head(c, {{":status", "200"}, field});
    EXPECT_TRUE(failed(b)) << field.first;
    EXPECT_NE(b.why, nullptr);
  }
}

TEST(ResponseChecksTest, ContentLengthOnA204IsDroppedIfZero) {
  ResponseChecks c;
  c.requestMethod("GET");
  auto b = head(c, {{":status", "204"}, {"content-length", "0"}, {"te", "Trailers"}});
  ASSERT_FALSE(failed(b)) << b.why;
  EXPECT_EQ(b.verdicts, (std::vector<Verdict>{Verdict::Keep, Verdict::Drop, Verdict::Keep}));
  // A 204 has no body.
  const char* why = nullptr;
  EXPECT_FALSE(c.data(1, &why));
}

TEST(ResponseChecksTest, ContentLengthOnA2xxAnswerToConnectIsDropped) {
  ResponseChecks c;
  c.requestMethod("CONNECT");
  auto b = head(c, {{":status", "200"}, {"content-length", "5"}});
  ASSERT_FALSE(failed(b)) << b.why;
  EXPECT_EQ(b.verdicts, (std::vector<Verdict>{Verdict::Keep, Verdict::Drop}));
  const char* why = nullptr;
  EXPECT_TRUE(c.data(100, &why));  // a tunnel: no length binds it
}

TEST(ResponseChecksTest, TheBodyMustMatchItsContentLength) {
  const char* why = nullptr;
  ResponseChecks shorter;
  head(shorter, {{":status", "200"}, {"content-length", "4"}});
  EXPECT_TRUE(shorter.data(3, &why));
  EXPECT_FALSE(shorter.end(&why));
  ResponseChecks longer;
  head(longer, {{":status", "200"}, {"content-length", "4"}});
  EXPECT_FALSE(longer.data(5, &why));
  // A HEAD answer announces the length of a body it does not carry.
  ResponseChecks headAnswer;
  headAnswer.requestMethod("HEAD");
  EXPECT_FALSE(failed(head(headAnswer, {{":status", "200"}, {"content-length", "4"}}, true)));
}

TEST(ResponseChecksTest, InformationalHeadsComeBeforeTheFinalOne) {
  const char* why = nullptr;
  ResponseChecks c;
  EXPECT_FALSE(failed(head(c, {{":status", "100"}})));
  EXPECT_FALSE(c.data(1, &why));  // no DATA before the final head
  ResponseChecks ok;
  EXPECT_FALSE(failed(head(ok, {{":status", "103"}, {"link", "</a>"}})));
  EXPECT_FALSE(failed(head(ok, {{":status", "200"}})));
  EXPECT_EQ(ok.status(), 200);
  ResponseChecks ended;
  EXPECT_TRUE(failed(head(ended, {{":status", "100"}}, true)));  // END_STREAM without a final head
}

TEST(ResponseChecksTest, TrailersEndTheStreamWithoutPseudoHeaders) {
  ResponseChecks c;
  head(c, {{":status", "200"}});
  EXPECT_FALSE(failed(head(c, {{"grpc-status", "0"}}, true)));
  ResponseChecks open;
  head(open, {{":status", "200"}});
  EXPECT_TRUE(failed(head(open, {{"grpc-status", "0"}}, false)));  // trailers must end the stream
  ResponseChecks pseudo;
  head(pseudo, {{":status", "200"}});
  EXPECT_TRUE(failed(head(pseudo, {{":status", "200"}}, true)));
}

}  // namespace
}  // namespace ferry::plugins::protocol::h2
