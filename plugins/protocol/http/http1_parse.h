#pragma once
// HTTP/1.x message heads and body framing, parsed strictly (RFC 9112). Anything ambiguous is an
// error, never guessed at: a proxy that forwards what two parsers could read differently is a
// request-smuggling hole.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/sdk/http.h"

namespace ferry::plugins::protocol::http {

/** Limits on what a peer may send in a head. */
struct HeadLimits {
  std::size_t maxInitialLine = 4 * 1024;
  std::size_t maxHeaders = 8 * 1024;
};

/** A parse failure: the status to answer with and why. */
struct ParseError {
  int status = 400;
  std::string message;
};

/** How a message body is delimited. */
struct Framing {
  enum class Kind { None, Length, Chunked, UntilClose };
  Kind kind = Kind::None;
  uint64_t length = 0;
};

/**
 * Finds the end of a head in `buffer`: the offset just past the blank line, 0 when more bytes
 * are needed, or an error (bare LF, or the limits exceeded without a complete head).
 */
std::size_t findHeadEnd(std::string_view buffer, const HeadLimits& limits, ParseError* error);

/** Parses a request head (request line and header fields, CRLF-terminated, blank line included). */
bool parseRequestHead(std::string_view head, const HeadLimits& limits, sdk::HttpRequestHead* out, ParseError* error);

/** Parses a response head; `version` receives the minor version. */
bool parseResponseHead(std::string_view head, sdk::HttpResponseHead* out, int* minorVersion, ParseError* error);

/** The request's body framing (RFC 9112 §6): errors on TE+CL, bad or conflicting lengths, unknown codings. */
bool requestFraming(const sdk::HeaderList& headers, Framing* out, ParseError* error);
/** The response's body framing, given the request method and the status. */
bool responseFraming(const sdk::HeaderList& headers, std::string_view requestMethod, int status, Framing* out,
                     ParseError* error);

/**
 * Decodes a body incrementally. feed() consumes what it can from `in` and appends decoded bytes
 * to `out`; `done` becomes true at the end of the body (trailers, if any, in `trailers`).
 */
class BodyDecoder {
 public:
  explicit BodyDecoder(Framing framing) : framing_(framing), remaining_(framing.length) {}
  /** Returns the bytes consumed from `in`, or -1 with `error` set. */
  long feed(std::string_view in, std::string* out, ParseError* error);
  bool done() const { return done_; }
  const sdk::HeaderList& trailers() const { return trailers_; }
  /** The connection ended: fine for a close-delimited body, an error otherwise. */
  bool finishAtClose();

 private:
  enum class State { Size, Data, DataCrlf, Trailers };
  Framing framing_;
  uint64_t remaining_;
  State state_ = State::Size;
  sdk::HeaderList trailers_;
  std::size_t trailerBytes_ = 0;  ///< all trailer lines so far, bounded as a head is
  bool done_ = false;
};

/** Is `name` a hop-by-hop header (RFC 9110 §7.6.1, plus the ones Linkerd strips)? */
bool isHopByHop(std::string_view name);
/** Removes hop-by-hop headers, including every header named by Connection. */
void stripHopByHop(sdk::HeaderList& headers);
/** Appends `name: value\r\n` for each header. */
void appendFields(std::string& out, const sdk::HeaderList& headers);
/** One chunk of a chunked body: size line, data, CRLF. */
std::string chunk(std::string_view data);
/** The last chunk of a chunked body, with its trailers (hop-by-hop ones dropped). */
std::string lastChunk(const sdk::HeaderList& trailers);
/** True when `headers` ask to close the connection, given the HTTP minor version. */
bool wantsClose(const sdk::HeaderList& headers, int minorVersion);
/** The standard reason phrase for `status`. */
const char* reasonPhrase(int status);

}  // namespace ferry::plugins::protocol::http
