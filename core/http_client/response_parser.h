#pragma once
// ResponseParser: reads the HTTP/1.1 responses of the core's control-plane client (namers'
// blocking queries and watches, interpreters' calls to namerd), apart from the socket so that
// it can be unit-tested and fuzzed (tests/fuzz/http_client_response_fuzz.cc).
//
// The peer is a control plane, not a client to be forgiving with: anything RFC 9112 leaves
// ambiguous is an error, and every buffer is bounded (a head, a chunk-size line, the trailers),
// so a broken or hostile API server costs a failed call, never unbounded memory.
//
// Thread: whichever owns the parser (the main thread for the HTTP client). Not shared.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/sdk/http_client.h"

namespace ferry::core::http_client {

/** Where a parser delivers what it read. Returning false from a method stops the parse (the
 *  owner was aborted from inside the callback): feed() then returns Stopped at once. */
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  /** The final response head (interim 1xx heads are skipped). */
  virtual bool onHead(int status, const sdk::HeaderList& headers) = 0;
  /** Decoded body bytes (chunked framing removed), in order; never empty. */
  virtual bool onData(std::string_view bytes) = 0;
};

class ResponseParser {
 public:
  enum class Status {
    NeedMore,  ///< everything given was consumed; the response is not over
    Complete,  ///< the response ended (bytes after it are ignored: the call's connection closes)
    Failed,    ///< malformed; error() says why
    Stopped,   ///< the sink asked to stop
  };

  /** The most a response head (status line and fields) or the trailers may take. */
  static constexpr std::size_t kMaxHead = 64 * 1024;
  /** The most a chunk-size line (size and extensions) may take. */
  static constexpr std::size_t kMaxChunkLine = 4 * 1024;

  /** `headRequest`: the request was HEAD, so the response has no body whatever it announces. */
  explicit ResponseParser(bool headRequest) : headRequest_(headRequest) {}

  /** Consumes `bytes` (any split of the stream is fine), calling `sink` as events complete. */
  Status feed(std::string_view bytes, ResponseSink& sink);
  /** The connection ended: Complete for a body delimited by the close, Failed otherwise. */
  Status finish();

  /** Why the parse failed (empty unless Failed was returned). */
  const std::string& error() const { return error_; }

 private:
  enum class State { Head, Length, UntilClose, ChunkSize, ChunkData, ChunkEnd, Trailers, Done, Error };

  /** Parses one element (a head, a chunk-size line, body bytes...) from the front of `in`,
   *  removing what it consumed; consumes nothing when the element is not whole yet. */
  Status step(std::string_view& in, ResponseSink& sink);
  Status parseHead(std::string_view head, ResponseSink& sink);
  Status fail(std::string why);

  bool headRequest_;
  State state_ = State::Head;
  std::string pending_;        ///< bytes of an element not yet whole, kept for the next feed
  uint64_t remaining_ = 0;     ///< of the Content-Length body or of the current chunk
  std::size_t trailerBytes_ = 0;
  std::string error_;
};

}  // namespace ferry::core::http_client
