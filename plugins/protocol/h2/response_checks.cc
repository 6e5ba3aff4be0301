#include "plugins/protocol/h2/response_checks.h"

#include "plugins/common/http/connection_header.h"
#include "plugins/protocol/h2/byte_checks.h"

#include <array>

namespace ferry::plugins::protocol::h2 {
namespace {

using bytes::allBytes;
using bytes::equals;
using bytes::inRange;
using bytes::kHighBits;
using bytes::kOnes;

// --- bytes, one at a time (the reference, and the short or unusual cases) --------------------

/** RFC 9110 tchar, lower case only (HTTP/2 field names are lower case). */
constexpr std::array<bool, 256> kNameChar = [] {
  std::array<bool, 256> t{};
  for (char c : std::string_view("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")) t[static_cast<uint8_t>(c)] = true;
  return t;
}();

bool badValueByte(uint8_t b) { return (b < 0x20 && b != '\t') || b == 0x7f; }

// --- eight bytes at a time (byte_checks.h) ----------------------------------------------------

/** Eight bytes that are all a-z, 0-9 or '-' (almost every field name is made of these). */
bool commonNameChars(uint64_t x) {
  if (x & kHighBits) return false;
  return (inRange(x, 'a', 'z') | inRange(x, '0', '9') | equals(x, '-')) == kHighBits;
}

/**
 * Whether eight bytes may hold a control byte or DEL: exact "no" (the common case), and "maybe"
 * when one is there or a lower byte's borrow spilled over (callers then look byte by byte).
 */
bool mayHoldBadValueByte(uint64_t x) {
  uint64_t belowSpace = (x - 0x20 * kOnes) & ~x & kHighBits;
  uint64_t del = x ^ 0x7f * kOnes;
  uint64_t isDel = (del - kOnes) & ~del & kHighBits;
  return (belowSpace | isDel) != 0;
}

bool nameBytes(std::string_view s) {
  return allBytes(s, commonNameChars, [](uint8_t b) { return kNameChar[b]; });
}

bool valueBytes(std::string_view s) {
  return allBytes(s, [](uint64_t x) { return !mayHoldBadValueByte(x); }, [](uint8_t b) { return !badValueByte(b); });
}

/** Digits only, at least one, no overflow; else -1. */
int64_t parseLength(std::string_view s) {
  if (s.empty() || s.size() > 18) return -1;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

inline bool nameOk(std::string_view name) {
  if (name.empty()) return false;
  if (name[0] == ':') {
    if (name.size() == 1) return false;
    name.remove_prefix(1);
  }
  return nameBytes(name);
}

inline bool valueOk(std::string_view value) {
  if (value.empty()) return true;
  char first = value.front(), last = value.back();
  if (first == ' ' || first == '\t' || last == ' ' || last == '\t') return false;
  return valueBytes(value);
}

}  // namespace

bool validFieldName(std::string_view name) { return nameOk(name); }
bool validFieldValue(std::string_view value) { return valueOk(value); }

void ResponseChecks::requestMethod(std::string_view method) {
  headRequest_ = method == "HEAD";
  connectRequest_ = method == "CONNECT";
}

void ResponseChecks::beginBlock() {
  pseudoAllowed_ = true;
  inTrailers_ = finalSeen_;
  if (!inTrailers_) status_ = 0;
}

ResponseChecks::Verdict ResponseChecks::field(std::string_view name, std::string_view value, const char** why) {
  bool pseudo = !name.empty() && name[0] == ':';
  if (!nameOk(name)) {
    *why = pseudo ? "a malformed pseudo-header name" : !bytes::isLower(name) ? "an upper-case field name" : "a malformed field name";
    return Verdict::StreamError;
  }
  if (!valueOk(value)) {
    *why = pseudo ? "a malformed pseudo-header value" : "a malformed field value";
    return Verdict::StreamError;
  }
  if (pseudo) {
    if (inTrailers_ || !pseudoAllowed_) {
      *why = inTrailers_ ? "a pseudo-header in trailers" : "a pseudo-header after a regular field";
      return Verdict::StreamError;
    }
    if (name != ":status" || status_ != 0 || value.size() != 3) {
      *why = name != ":status" ? "a pseudo-header other than :status" : "a malformed or repeated :status";
      return Verdict::StreamError;
    }
    int64_t code = parseLength(value);
    if (code < 0 || code == 101) {
      *why = "a malformed :status (or 101, which HTTP/2 forbids)";
      return Verdict::StreamError;
    }
    status_ = static_cast<int>(code);
    return Verdict::Keep;
  }
  pseudoAllowed_ = false;
  if (common::http::connectionSpecific(name)) {
    *why = "a connection-specific field (connection, keep-alive, proxy-connection, transfer-encoding or upgrade)";
    return Verdict::StreamError;
  }
  if (name.size() == 2 && name == "te" && !sdk::headerNameEquals(value, "trailers")) {
    *why = "te other than \"trailers\"";
    return Verdict::StreamError;
  }
  if (name.size() == 14 && name == "content-length") return contentLength(value, why);
  return Verdict::Keep;
}

ResponseChecks::Verdict ResponseChecks::contentLength(std::string_view value, const char** why) {
  if (status_ == 204) {
    // Forbidden on 204, but widely sent as 0: accepted as 0 and dropped, as nghttp2 does.
    if (contentLength_ != -1 || !sdk::headerNameEquals(value, "0")) {
      *why = "a content-length other than 0 on a 204 response";
      return Verdict::StreamError;
    }
    contentLength_ = 0;
    return Verdict::Drop;
  }
  if (status_ / 100 == 1) {
    *why = "a content-length on an informational response";
    return Verdict::StreamError;
  }
  if (status_ / 100 == 2 && connectRequest_) return Verdict::Drop;  // a tunnel: no length binds it
  if (contentLength_ != -1 || (contentLength_ = parseLength(value)) < 0) {
    *why = "a malformed or repeated content-length";
    return Verdict::StreamError;
  }
  return Verdict::Keep;
}

bool ResponseChecks::endBlock(bool endStream, const char** why) {
  if (inTrailers_) {
    if (!endStream) {
      *why = "trailers without END_STREAM";
      return false;
    }
    return end(why);
  }
  if (status_ == 0) {
    *why = "a response head without :status";
    return false;
  }
  if (status_ / 100 == 1) {
    contentLength_ = -1;  // the final head follows; expectFinal_ stays set
  } else {
    finalSeen_ = true;
    expectFinal_ = false;
    if (headRequest_ || status_ == 204 || status_ == 304) contentLength_ = 0;  // no body
    else if (connectRequest_) contentLength_ = -1;
  }
  return !endStream || end(why);
}

bool ResponseChecks::data(std::size_t bytes, const char** why) {
  received_ += static_cast<int64_t>(bytes);
  if (expectFinal_) {
    *why = "DATA before a final response head";
    return false;
  }
  if (contentLength_ != -1 && received_ > contentLength_) {
    *why = "more DATA than its content-length";
    return false;
  }
  return true;
}

bool ResponseChecks::end(const char** why) {
  if (expectFinal_) {
    *why = "END_STREAM before a final response head";
    return false;
  }
  if (contentLength_ != -1 && received_ != contentLength_) {
    *why = "less DATA than its content-length";
    return false;
  }
  return true;
}

}  // namespace ferry::plugins::protocol::h2
