#include "plugins/protocol/http/server_connection.h"

#include <algorithm>
#include <cstdio>

namespace ferry::plugins::protocol::http {
namespace {

constexpr std::size_t kMaxBufferedBody = 256 * 1024;

}  // namespace

class ServerConnection::Exchange final : public sdk::ServerExchange {
 public:
  Exchange(ServerConnection& conn, sdk::HttpRequestHead head, Framing framing, bool keepAlive, bool expectContinue)
      : conn_(conn), head_(std::move(head)), decoder_(framing), keepAlive_(keepAlive), expectContinue_(expectContinue),
        bodyless_(framing.kind == Framing::Kind::None) {}

  // sdk::ServerExchange
  sdk::HttpRequestHead& request() override { return head_; }

  void setRequestBodyHandler(sdk::BodyHandler* handler) override {
    handler_ = handler;
    // A request without a body ends now, whether or not the body is paused.
    if (bodyless_ && !requestEnded_) {
      requestEnded_ = true;
      if (handler_) handler_->onEnd({});
    }
  }

  void pauseRequestBody(bool paused) override {
    bool resumed = paused_ && !paused;
    paused_ = paused;
    if (!resumed || requestEnded_) return;
    if (expectContinue_ && !continueSent_ && !responseStarted_) {
      continueSent_ = true;
      conn_.stream_.write("HTTP/1.1 100 Continue\r\n\r\n");
    }
    conn_.stream_.pauseReading(false);
    conn_.process();
  }

  void sendResponseHead(const sdk::HttpResponseHead& head, bool endOfMessage) override {
    if (responseStarted_ || dead_) return;
    responseStarted_ = true;
    // Response heads reach here from this plugin's client codec, already without hop-by-hop
    // headers, or from the core (its own error answers): nothing to strip.
    bool noBody = head_.method == "HEAD" || head.status == 204 || head.status == 304 || head.status < 200;
    bool hasLength = static_cast<bool>(sdk::findHeader(head.headers, "content-length"));
    const char* framing = nullptr;
    if (noBody) {
      mode_ = Mode::None;
    } else if (hasLength) {
      mode_ = Mode::Raw;
    } else if (endOfMessage) {
      framing = "content-length: 0\r\n";
      mode_ = Mode::None;
    } else if (head_.versionMinor >= 1) {
      framing = "transfer-encoding: chunked\r\n";
      mode_ = Mode::Chunked;
    } else {
      mode_ = Mode::Raw;  // HTTP/1.0 client: the body ends when the connection does
      keepAlive_ = false;
    }
    if (!requestEnded_) keepAlive_ = false;  // unread request body: the connection cannot continue
    if (conn_.draining_) keepAlive_ = false;  // shutting down: this is the connection's last response
    std::string out;
    out.reserve(256);
    out.append("HTTP/1.1 ").append(std::to_string(head.status)).append(" ").append(reasonPhrase(head.status)).append("\r\n");
    appendFields(out, head.headers);
    if (framing) out.append(framing);
    out.append("via: ").append(conn_.settings_.via).append("\r\n");
    if (!keepAlive_) {
      out.append("connection: close\r\n");
    } else if (head_.versionMinor == 0) {
      out.append("connection: keep-alive\r\n");
    }
    out.append("\r\n");
    conn_.stream_.write(out);
    if (endOfMessage) finish();
  }

  bool sendResponseBody(std::string_view data) override {
    if (dead_ || !responseStarted_ || responseEnded_) return true;
    if (data.empty() || mode_ == Mode::None) return true;
    if (mode_ == Mode::Chunked) return conn_.stream_.write(http::chunk(data));
    return conn_.stream_.write(data);
  }

  void endResponse(const sdk::HeaderList& trailers) override {
    if (dead_ || !responseStarted_ || responseEnded_) return;
    if (mode_ == Mode::Chunked) conn_.stream_.write(lastChunk(trailers));
    finish();
  }

  void reset(const sdk::StreamReset&) override {
    if (dead_) return;
    dead_ = true;
    handler_ = nullptr;
    // Mid-response, HTTP/1 has no way to say "this response failed" but to drop the connection.
    conn_.stream_.abort();
  }

  std::string peerAddress() const override { return conn_.stream_.peerAddress(); }

  // --- used by the connection -------------------------------------------------------------
  /** Feeds request body bytes from `in`; returns the bytes consumed, or -1 on a framing error. */
  long feedBody(std::string_view in, ParseError* error) {
    if (requestEnded_) return 0;
    if (paused_ || !handler_) return 0;
    std::string decoded;
    long used = decoder_.feed(in, &decoded, error);
    if (used < 0) return used;
    if (!decoded.empty() && handler_) handler_->onBody(decoded);
    if (decoder_.done() && !requestEnded_) {
      requestEnded_ = true;
      if (handler_) handler_->onEnd(decoder_.trailers());
    }
    return used;
  }

  void connectionLost(const std::string& why) {
    if (dead_) return;
    dead_ = true;
    auto* h = handler_;
    handler_ = nullptr;
    if (h && !responseEnded_) h->onReset({sdk::ResetCode::Cancel, why.empty() ? "client closed the connection" : why});
  }

  void writable() {
    if (!dead_ && handler_) handler_->onWritable();
  }

  bool requestEnded() const { return requestEnded_; }
  bool responseStarted() const { return responseStarted_; }
  bool responseEnded() const { return responseEnded_; }
  bool paused() const { return paused_ || !handler_; }
  bool keepAlive() const { return keepAlive_; }

 private:
  enum class Mode { None, Raw, Chunked };

  void finish() {
    responseEnded_ = true;
    // After the response no call reaches the router's handler (the contract of ServerExchange).
    handler_ = nullptr;
    dead_ = true;
    conn_.exchangeEnded(keepAlive_ && requestEnded_);
  }

  ServerConnection& conn_;
  sdk::HttpRequestHead head_;
  BodyDecoder decoder_;
  sdk::BodyHandler* handler_ = nullptr;
  bool keepAlive_;
  bool expectContinue_;
  bool bodyless_;
  bool continueSent_ = false;
  bool paused_ = false;
  bool requestEnded_ = false;
  bool responseStarted_ = false;
  bool responseEnded_ = false;
  bool dead_ = false;
  Mode mode_ = Mode::None;
};

ServerConnection::ServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router, const HttpSettings& settings,
                                   const ServerSettings& server)
    : stream_(stream),
      router_(router),
      settings_(settings),
      server_(server),
      stamper_(server.headers, settings.via),
      guard_(stream.dispatcher(), server.limits,
             {[this] { headTimedOut(); }, [this] { if (!current_) closeAfterWrite(); }, [this] { onShutdown(); }}) {
  stream_.setHandler(this);
  // The first head is due within headerReadTimeoutMs of the accept: a client that connects and
  // says nothing is cut off like one that says its head a byte at a time.
  guard_.headStarted();
}

void ServerConnection::headTimedOut() {
  if (current_ || closing_) return;
  refuse(408, "request head not received within headerReadTimeoutMs (" +
                  std::to_string(server_.limits.headerReadTimeout.count()) + " ms)");
}

ServerConnection::~ServerConnection() {
  if (current_) current_->connectionLost("connection closed");
}

void ServerConnection::onData(std::string_view bytes) {
  finished_.clear();
  in_.append(bytes);
  process();
}

void ServerConnection::onWritable() {
  finished_.clear();
  if (current_) current_->writable();
}

void ServerConnection::onClosed(const std::string& error) {
  closing_ = true;
  if (current_) current_->connectionLost(error);
}

void ServerConnection::onShutdown() {
  draining_ = true;
  if (!current_) closeAfterWrite();
}

void ServerConnection::process() {
  if (processing_ || closing_) return;
  processing_ = true;
  while (!closing_) {
    if (current_) {
      if (!current_->requestEnded()) {
        if (current_->paused()) {
          // Hold the body; stop reading once enough is buffered (back-pressure to the client).
          if (in_.size() > kMaxBufferedBody) stream_.pauseReading(true);
          break;
        }
        ParseError error;
        long used = current_->feedBody(in_, &error);
        if (used < 0) {
          // The request is already with the router: abandon it (the upstream exchange is
          // reset), answer 400 if no response has started, and close the connection.
          bool canAnswer = !current_->responseStarted();
          current_->connectionLost("bad request body: " + error.message);
          if (canAnswer) {
            refuse(error.status, error.message);
          } else {
            closing_ = true;
            stream_.abort();
          }
          break;
        }
        in_.erase(0, static_cast<std::size_t>(used));
        if (!current_ || !current_->requestEnded()) break;  // need more bytes
      }
      break;  // the response is pending; pipelined requests wait
    }
    if (in_.empty()) break;
    guard_.headStarted();  // no-op while the same head is pending
    ParseError error;
    std::size_t end = findHeadEnd(in_, settings_.limits, &error);
    if (end == static_cast<std::size_t>(-1)) {
      refuse(error.status, error.message);
      break;
    }
    if (end == 0) break;
    guard_.headComplete();
    sdk::HttpRequestHead head;
    if (!parseRequestHead(std::string_view(in_).substr(0, end), settings_.limits, &head, &error)) {
      refuse(error.status, error.message);
      break;
    }
    Framing framing;
    if (!requestFraming(head.headers, &framing, &error)) {
      refuse(error.status, error.message);
      break;
    }
    in_.erase(0, end);
    if (settings_.maxRequestBytes && framing.kind == Framing::Kind::Length && framing.length > *settings_.maxRequestBytes) {
      refuse(413, "request body of " + std::to_string(framing.length) + " bytes exceeds maxRequestKB (" +
                      std::to_string(*settings_.maxRequestBytes / 1024) + ")");
      break;
    }
    if (common::http::viaCount(head.headers) >= server_.headers.maxCallDepth) {
      refuse(400, common::http::callDepthMessage(server_.headers.maxCallDepth));
      break;
    }
    bool keepAlive = !wantsClose(head.headers, head.versionMinor);
    auto expect = head.header("expect");
    bool expectContinue = expect && head.versionMinor >= 1 && sdk::headerNameEquals(*expect, "100-continue");
    // What the router sees: no hop-by-hop headers, no Expect (this proxy answers it), the
    // framing reduced to Content-Length when known, and this hop in Via.
    stripHopByHop(head.headers);
    head.headers.erase(std::remove_if(head.headers.begin(), head.headers.end(),
                                      [](const auto& h) { return sdk::headerNameEquals(h.first, "expect"); }),
                       head.headers.end());
    stamper_.stamp(head.headers, stream_.localAddress(), stream_.peerAddress());
    current_ = std::make_unique<Exchange>(*this, std::move(head), framing, keepAlive, expectContinue);
    guard_.inFlight(1);
    router_.onRequest(*current_);
  }
  processing_ = false;
}

void ServerConnection::exchangeEnded(bool canContinue) {
  if (current_) finished_.push_back(std::move(current_));
  guard_.inFlight(0);
  if (!canContinue || draining_) {
    closeAfterWrite();
    return;
  }
  stream_.pauseReading(false);
  // Pipelined requests may already be buffered. When called from inside process() (a
  // synchronous answer), the loop there carries on by itself.
  if (!processing_) process();
}

void ServerConnection::closeAfterWrite() {
  if (closing_) return;
  closing_ = true;
  stream_.close();
}

void ServerConnection::refuse(int status, const std::string& message) {
  std::string body = message + "\n";
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + reasonPhrase(status) +
                    "\r\ncontent-type: text/plain\r\nl5d-err: " + sdk::encodeErrorHeader(message) + "\r\ncontent-length: " +
                    std::to_string(body.size()) + "\r\nconnection: close\r\n\r\n" + body;
  stream_.write(out);
  closeAfterWrite();
}

}  // namespace ferry::plugins::protocol::http
