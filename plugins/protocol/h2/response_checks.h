#pragma once
// ResponseChecks: the HTTP/2 message rules (RFC 9113 §8) for the responses Ferry receives from
// upstreams, applied by Ferry instead of nghttp2.
//
// Why: nghttp2's own HTTP messaging checks cost about 2,200 instructions per proxied request on
// the client side (a table lookup per byte of every name and value, a token lookup and a
// dispatch per field): 6% of all the work. These are the same rules, in the same cases, as
// nghttp2 1.52 applies to responses (nghttp2_http.c), mostly eight bytes at a time, for about
// 1,200 (callgrind). Requests (Ferry's server side) keep nghttp2's checks: their conformance is
// what h2 clients see.
//
// The rules, and what breaks them:
// - field names are tokens in lower case, values have no NUL, CR, LF or other control byte but
//   HTAB, and no leading or trailing space or HTAB; any other field is a stream error (nghttp2
//   would ignore a malformed regular field only for an application that registers an
//   invalid-header callback, which Ferry does not: its server side rejects them too);
// - the one pseudo-header is :status (three digits, once, before the regular fields, not 101);
//   pseudo-headers in trailers are a stream error;
// - connection, keep-alive, proxy-connection, transfer-encoding and upgrade are stream errors,
//   te anything but "trailers" too;
// - content-length: digits, once; forbidden on 1xx; on 204 only "0", and dropped; on a 2xx
//   answer to CONNECT dropped; the DATA received must add up to it (none at all for HEAD, 204,
//   304 and 1xx);
// - a 1xx head must be followed by a final one, trailers must end the stream.
//
// Thread: the connection's worker only.

#include <cstdint>
#include <string_view>

namespace ferry::plugins::protocol::h2 {

class ResponseChecks {
 public:
  enum class Verdict { Keep, Drop, StreamError };

  /** The request went out with this method: HEAD answers carry no body, CONNECT's 2xx no length. */
  void requestMethod(std::string_view method);
  /** A header block begins (a head, or trailers when a final head was seen). */
  void beginBlock();
  /** One field of the block. `why` is set on a stream error. */
  Verdict field(std::string_view name, std::string_view value, const char** why);
  /** The block is complete; false (and `why`) on a stream error. `endStream`: it carried END_STREAM. */
  bool endBlock(bool endStream, const char** why);
  /** DATA payload arrived; false (and `why`) on a stream error. */
  bool data(std::size_t bytes, const char** why);
  /** The stream ended (END_STREAM on DATA); false (and `why`) on a stream error. */
  bool end(const char** why);

  /** The :status of the last head block (0 before one). */
  int status() const { return status_; }

 private:
  /** A content-length field of the current block. */
  Verdict contentLength(std::string_view value, const char** why);

  bool headRequest_ = false;
  bool connectRequest_ = false;
  bool finalSeen_ = false;         ///< a final (non-1xx) head was received
  bool expectFinal_ = true;        ///< no final head yet: DATA or END_STREAM now is an error
  bool pseudoAllowed_ = true;      ///< no regular field yet in this block
  bool inTrailers_ = false;
  int status_ = 0;
  int64_t contentLength_ = -1;     ///< -1: none announced (or not binding)
  int64_t received_ = 0;
};

/** Whether `name` is a lower-case token (RFC 9110 §5.6.2), optionally after one ':'. */
bool validFieldName(std::string_view name);
/** Whether `value` is a valid field value for RFC 9113 §8.2.1 (see the file comment). */
bool validFieldValue(std::string_view value);

}  // namespace ferry::plugins::protocol::h2
