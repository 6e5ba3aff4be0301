#include "plugins/protocol/h2/server_connection.h"

#include "ferry/sdk/recycled.h"

#include "plugins/protocol/h2/headers.h"

namespace ferry::plugins::protocol::h2 {

class ServerConnection::Exchange final : public Stream, public sdk::ServerExchange, public sdk::Recycled<ServerConnection::Exchange> {
 public:
  explicit Exchange(ServerConnection& conn) : conn_(conn) {}

  // sdk::ServerExchange
  sdk::HttpRequestHead& request() override { return head; }

  void setRequestBodyHandler(sdk::BodyHandler* handler) override {
    sink = done ? nullptr : handler;
    // A request that ended with its headers ends as soon as someone listens.
    if (sink && inboundEnded && !endDelivered) {
      endDelivered = true;
      sink->onEnd({});
    }
  }

  void pauseRequestBody(bool paused) override { conn_.pauseInbound(*this, paused); }

  void sendResponseHead(const sdk::HttpResponseHead& response, bool endOfMessage) override {
    if (responseStarted || closed || conn_.dead()) return;
    responseStarted = true;
    HeaderBlock block;
    responseBlock(response, kVia, block);
    conn_.keepHeadBlock(*this, block);
    if (endOfMessage) {
      outboundEnded = true;
      nghttp2_submit_response(conn_.session(), id, block.data(), block.size(), nullptr);
    } else {
      auto data = conn_.provider(*this);
      nghttp2_submit_response(conn_.session(), id, block.data(), block.size(), &data);
    }
    if (endOfMessage) responseDone();
    conn_.flushSoon();
  }

  bool sendResponseBody(std::string_view data) override {
    if (!responseStarted || done) return true;
    return conn_.sendBody(*this, data);
  }

  void endResponse(const sdk::HeaderList& trailers) override {
    if (!responseStarted || done) return;
    responseDone();
    conn_.endBody(*this, regularFields(trailers));
  }

  void reset(const sdk::StreamReset& why) override {
    if (done) return;
    done = true;
    sink = nullptr;
    conn_.resetStream(*this, fromResetCode(why.code));
  }

  std::string peerAddress() const override { return conn_.stream_.peerAddress(); }

  /** The response ended: no call reaches the router's handler after this (the exchange's contract). */
  void responseDone() {
    done = true;
    sink = nullptr;
  }

  sdk::HttpRequestHead head;
  bool headSeen = false;
  bool endDelivered = false;
  bool responseStarted = false;

 private:
  ServerConnection& conn_;
};

ServerConnection::ServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router, const ServerSettings& settings)
    : Session(stream, settings.session, Role::Server),
      router_(router),
      server_(settings),
      stamper_(settings.headers, kVia),
      guard_(stream.dispatcher(), settings.limits, {[this] { headTimedOut(); }, [this] { onShutdown(); },
                                                     [this] { onShutdown(); }}) {
  // Our SETTINGS go out once the client's preface arrived: an HTTP/1 client gets a plain answer.
  // The preface is due within headerReadTimeoutMs of the accept.
  guard_.headStarted();
}

void ServerConnection::headTimedOut() {
  if (dead()) return;
  if (prefaceSeen_ == 0) return onShutdown();  // nothing said: closed without a word
  // A preface or a header block (HEADERS then CONTINUATIONs, which nothing may interleave, so
  // at most one is ever pending) dragged on: the peer is holding the connection, not using it.
  terminate(NGHTTP2_ENHANCE_YOUR_CALM);
}

ServerConnection::~ServerConnection() { onConnectionLost("connection closed"); }

void ServerConnection::onData(std::string_view bytes) {
  static constexpr std::string_view kPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  if (prefaceSeen_ < kPreface.size() && !dead()) {
    std::size_t n = std::min(bytes.size(), kPreface.size() - prefaceSeen_);
    std::size_t same = 0;
    while (same < n && bytes[same] == kPreface[prefaceSeen_ + same]) ++same;
    if (same < n) {
      // An invalid preface is a connection error PROTOCOL_ERROR (RFC 9113 §3.4): our SETTINGS,
      // then the GOAWAY. Except for what is plainly an HTTP/1 request (an upper-case method
      // where "PRI " was due): that client could not read a GOAWAY, so it gets a readable answer.
      bool http1 = prefaceSeen_ == 0 && same < 4 && bytes[0] >= 'A' && bytes[0] <= 'Z';
      if (!http1) {
        prefaceSeen_ = kPreface.size();  // nghttp2 must not see the bad bytes
        terminate(NGHTTP2_PROTOCOL_ERROR);
        return;
      }
      std::string message = "this router speaks HTTP/2 (h2c with prior knowledge, or h2 over TLS), not HTTP/1";
      std::string body = message + "\n";
      stream_.write("HTTP/1.1 505 HTTP Version Not Supported\r\ncontent-type: text/plain\r\nl5d-err: " +
                    sdk::encodeErrorHeader(message) + "\r\ncontent-length: " + std::to_string(body.size()) +
                    "\r\nconnection: close\r\n\r\n" + body);
      stream_.close();
      Session::onClosed("not an HTTP/2 client");
      return;
    }
    prefaceSeen_ += n;
    if (prefaceSeen_ == kPreface.size()) guard_.headComplete();
  }
  Session::onData(bytes);
}

void ServerConnection::onShutdown() {
  if (dead()) return;
  if (prefaceSeen_ == 0) {
    // Nothing was said on this connection yet: just close it.
    stream_.close();
    Session::onClosed("shutting down");
    return;
  }
  nghttp2_submit_goaway(session(), NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session()),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  flush();
}

Stream* ServerConnection::beginStream(int32_t) {
  guard_.headStarted();
  Stream* stream = exchanges_.add(std::make_unique<Exchange>(*this));
  guard_.inFlight(exchanges_.size());
  return stream;
}

void ServerConnection::onHeaders(Stream& stream, sdk::HeaderList headers, bool endStream, bool tooLarge) {
  auto& ex = static_cast<Exchange&>(stream);
  if (ex.headSeen) {
    // Trailers: they always end the request (nghttp2 enforces END_STREAM on them).
    ex.inboundEnded = true;
    if (ex.sink && !ex.done && !ex.endDelivered) {
      ex.endDelivered = true;
      ex.sink->onEnd(withoutPseudo(std::move(headers)));
    }
    return;
  }
  ex.headSeen = true;
  guard_.headComplete();
  ex.inboundEnded = endStream;
  if (tooLarge) {
    return refuse(ex, 431, "request header list exceeds maxHeaderListBytes (" +
                               std::to_string(server_.session.maxHeaderListBytes.value_or(0)) + ")");
  }
  auto& head = ex.head;
  takeRequestPseudoHeaders(headers, head);
  if (head.host.empty()) {
    if (auto h = sdk::findHeader(headers, "host")) head.host = std::string(*h);
  }
  head.versionMajor = 2;
  head.versionMinor = 0;
  head.headers = std::move(headers);
  if (common::http::viaCount(head.headers) >= server_.headers.maxCallDepth) {
    return refuse(ex, 400, common::http::callDepthMessage(server_.headers.maxCallDepth));
  }
  stamper_.stamp(head.headers, stream_.localAddress(), stream_.peerAddress());
  router_.onRequest(ex);
}

void ServerConnection::onBodyEnded(Stream& stream) {
  auto& ex = static_cast<Exchange&>(stream);
  if (ex.sink && !ex.done && !ex.endDelivered) {
    ex.endDelivered = true;
    ex.sink->onEnd({});
  }
}

void ServerConnection::refuse(Exchange& ex, int status, const std::string& message) {
  std::string body = message + "\n";
  sdk::HttpResponseHead head;
  head.status = status;
  head.headers = {{"l5d-err", sdk::encodeErrorHeader(message)},
                  {"content-type", "text/plain"},
                  {"content-length", std::to_string(body.size())}};
  ex.sendResponseHead(head, false);
  ex.sendResponseBody(body);
  ex.endResponse({});
}

void ServerConnection::onStreamClosed(Stream& stream, uint32_t code) {
  auto& ex = static_cast<Exchange&>(stream);
  if (!ex.done) {
    ex.done = true;
    auto* handler = ex.sink;
    ex.sink = nullptr;
    if (handler) handler->onReset({toResetCode(code), "the client reset the stream (" + errorCodeName(code) + ")"});
  }
  // A stream closed before its header block was whole (nghttp2 refused the block): that block
  // is over too, and the next one may begin.
  if (!ex.headSeen) guard_.headComplete();
  // The request is over on both sides: its header list is kept for later streams' blocks.
  if (ex.incoming.empty()) ex.incoming = std::move(ex.head.headers);
  if (auto owned = exchanges_.take(ex)) retire(std::move(owned));
  guard_.inFlight(exchanges_.size());
}

void ServerConnection::onConnectionLost(const std::string& why) {
  for (auto& ex : exchanges_) {
    if (ex->done) continue;
    ex->done = true;
    auto* handler = ex->sink;
    ex->sink = nullptr;
    if (handler) handler->onReset({sdk::ResetCode::Cancel, why});
  }
}

}  // namespace ferry::plugins::protocol::h2
