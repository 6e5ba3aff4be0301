#pragma once
// Protocol: the codecs of one wire protocol (`protocol: http`, `protocol: h2`).
//
// The core owns sockets, identification, binding, load balancing and connection pools; a
// protocol turns bytes into exchanges and back. Server side: the core hands each accepted
// connection to newServerConnection(); the codec reports each request to the core as a
// ServerExchange. Client side: the core opens a connection to the chosen endpoint and starts
// requests on the codec's ClientConnection. Bodies stream both ways with back-pressure: a
// producer stops when a write returns false and resumes on the matching onWritable call.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "ferry/sdk/connection.h"
#include "ferry/sdk/host.h"
#include "ferry/sdk/http.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

/**
 * Why a stream ended early. The codes are HTTP/2's (RFC 9113 §7), so a reset keeps its code from
 * one h2 peer to the other (a client's CANCEL reaches the upstream as CANCEL, an upstream's
 * REFUSED_STREAM reaches the client as REFUSED_STREAM). HTTP/1 has no stream resets: its codec
 * drops the connection whatever the code.
 */
enum class ResetCode : uint32_t {
  NoError = 0x0,
  ProtocolError = 0x1,
  InternalError = 0x2,
  FlowControlError = 0x3,
  SettingsTimeout = 0x4,
  StreamClosed = 0x5,
  FrameSizeError = 0x6,
  RefusedStream = 0x7,
  Cancel = 0x8,
  CompressionError = 0x9,
  ConnectError = 0xa,
  EnhanceYourCalm = 0xb,
  InadequateSecurity = 0xc,
  Http11Required = 0xd,
};

/** A reset: its code and, for logs and l5d-err, what happened. */
struct StreamReset {
  ResetCode code = ResetCode::Cancel;
  std::string reason;
};

/** Receives the body of a message, in order. Thread: the worker. */
class BodyHandler {
 public:
  virtual ~BodyHandler() = default;
  virtual void onBody(std::string_view chunk) = 0;
  /** The message ended, with trailers (empty when none). */
  virtual void onEnd(const HeaderList& trailers) = 0;
  /** The stream was reset or the connection lost before the end. */
  virtual void onReset(const StreamReset& reset) = 0;
  /** The side this handler feeds can take more (after a send returned false). */
  virtual void onWritable() = 0;
};

/**
 * One request received by a server codec, and the way to answer it. Thread: the worker.
 * Lifetime: until the response ended or reset() was called; after that the codec makes no call
 * to the request body handler. A request without a body ends (onEnd) as soon as the handler is
 * set, even while paused: pausing holds body bytes only.
 */
class ServerExchange {
 public:
  virtual ~ServerExchange() = default;
  /**
   * The request head. The router rewrites it in place (l5d-* headers, a consumed path) before
   * forwarding it, so it is not copied per request. Lifetime: the exchange's.
   */
  virtual HttpRequestHead& request() = 0;
  /** The request's body and end go to `handler`, which must outlive the exchange's end. */
  virtual void setRequestBodyHandler(BodyHandler* handler) = 0;
  /** Stops (true) or resumes reading the request body. */
  virtual void pauseRequestBody(bool paused) = 0;
  /** Sends the response head; `endOfMessage` when it has no body. */
  virtual void sendResponseHead(const HttpResponseHead& head, bool endOfMessage) = 0;
  /** Sends body bytes; false when the client is slow and the caller should pause its source. */
  virtual bool sendResponseBody(std::string_view chunk) = 0;
  virtual void endResponse(const HeaderList& trailers) = 0;
  /** Abandons the exchange (HTTP/1: close the connection; h2: RST_STREAM with the code). */
  virtual void reset(const StreamReset& reset) = 0;
  /** `ip:port` of the client. */
  virtual std::string peerAddress() const = 0;
};

/** The core's side of a server connection: it routes each request. Thread: the worker. */
class RequestRouter {
 public:
  virtual ~RequestRouter() = default;
  /** A request head arrived. The exchange lives until its response ended or it was reset. */
  virtual void onRequest(ServerExchange& exchange) = 0;
};

/** Receives a response on the client side. Thread: the worker. */
class ResponseHandler : public BodyHandler {
 public:
  virtual void onResponseHead(const HttpResponseHead& head, bool endOfMessage) = 0;
};

/**
 * One request sent on a client connection. Thread: the worker. After the response ended (onEnd,
 * or onResponseHead with endOfMessage) or was reset, the codec makes no call to the handler.
 */
class ClientExchange {
 public:
  virtual ~ClientExchange() = default;
  /** Request body bytes; false when the upstream is slow and the caller should pause. */
  virtual bool sendRequestBody(std::string_view chunk) = 0;
  virtual void endRequest(const HeaderList& trailers) = 0;
  virtual void pauseResponseBody(bool paused) = 0;
  /** Abandons the exchange (HTTP/1: close the connection; h2: RST_STREAM with the code). */
  virtual void reset(const StreamReset& reset) = 0;
};

/** A codec on an outgoing connection. Thread: the worker. */
class ClientConnection {
 public:
  virtual ~ClientConnection() = default;
  /** Whether another request can start now (HTTP/1: idle; h2: below the stream limit). */
  virtual bool canStartRequest() const = 0;
  /** Starts a request; the head is sent at once. */
  virtual ClientExchange* startRequest(const HttpRequestHead& head, bool endOfMessage, ResponseHandler& handler) = 0;
  /** Whether the connection may be reused after its exchanges end. */
  virtual bool reusable() const = 0;
};

/** A protocol instance for one router. Thread: created on main, used on workers. */
class Protocol {
 public:
  virtual ~Protocol() = default;
  /** Whether one connection carries many requests at once (h2): the core pools accordingly. */
  virtual bool multiplexed() const = 0;
  /**
   * Whether a request that no identifier names is refused with a stream reset (h2:
   * RST_STREAM REFUSED_STREAM, as Linkerd) rather than answered 400 with `l5d-err` (http).
   */
  virtual bool resetsUnidentified() const = 0;
  /**
   * Serves a connection accepted on the router's server number `serverIndex` (its position in
   * `servers`, whose protocol keys the factory read). The codec sets itself as the stream's
   * handler. Ownership: the caller owns the result and the stream; the router outlives both.
   * Thread: the stream's worker.
   */
  virtual std::unique_ptr<ByteStreamHandler> newServerConnection(ByteStream& stream, RequestRouter& router,
                                                                 std::size_t serverIndex) = 0;
  /** Speaks the protocol on an outgoing connection; the codec sets itself as the stream's
   *  handler. Thread: the stream's worker. */
  virtual std::unique_ptr<ClientConnection> newClientConnection(ByteStream& stream) = 0;
};
using ProtocolPtr = std::unique_ptr<Protocol>;

class ProtocolFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kProtocol; }
  /** Default server port (http 4140, h2 4142). */
  virtual uint16_t defaultPort() const = 0;
  /** Default identifier kind (`io.l5d.header.token`). */
  virtual const char* defaultIdentifier() const = 0;
  /** The ALPN protocol id offered and accepted under TLS ("http/1.1", "h2"). */
  virtual const char* alpnProtocol() const = 0;
  /** Default response classifier kind (`io.l5d.http.nonRetryable5XX`, `io.l5d.h2.nonRetryable5XX`). */
  virtual const char* defaultResponseClassifier() const = 0;
  /**
   * validate() receives the whole router block and reads the protocol's own router keys and,
   * through `servers`, its own server keys (`maxCallDepth`, `addForwardedHeader`...).
   * create() does the same for real. Thread: main.
   */
  virtual Result<ProtocolPtr> create(const ConfigView& router, HostContext& host) const = 0;
};

}  // namespace ferry::sdk
