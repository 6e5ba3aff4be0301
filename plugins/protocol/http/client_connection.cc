#include "plugins/protocol/http/client_connection.h"

#include <algorithm>
#include <cstdio>

namespace ferry::plugins::protocol::http {
class ClientConnection::Exchange final : public sdk::ClientExchange {
 public:
  Exchange(ClientConnection& conn, sdk::ResponseHandler& handler, std::string method, bool chunked)
      : method_(std::move(method)), handler_(&handler), conn_(conn), chunked_(chunked) {}

  // sdk::ClientExchange
  bool sendRequestBody(std::string_view data) override {
    if (dead_ || requestEnded_ || data.empty()) return true;
    if (chunked_) return conn_.stream_.write(http::chunk(data));
    return conn_.stream_.write(data);
  }

  void endRequest(const sdk::HeaderList& trailers) override {
    if (dead_ || requestEnded_) return;
    requestEnded_ = true;
    if (chunked_) conn_.stream_.write(lastChunk(trailers));
    if (responseEnded_) conn_.exchangeDone();
  }

  void pauseResponseBody(bool paused) override {
    paused_ = paused;
    if (dead_) return;
    conn_.stream_.pauseReading(paused);
    if (!paused) conn_.process();
  }

  void reset(const sdk::StreamReset&) override {
    if (dead_) return;
    dead_ = true;
    handler_ = nullptr;
    conn_.closed_ = true;
    conn_.stream_.abort();
  }

  // --- used by the connection -------------------------------------------------------------
  std::string method_;
  sdk::ResponseHandler* handler_;
  std::unique_ptr<BodyDecoder> decoder_;
  bool headSeen_ = false;
  bool requestEnded_ = false;
  bool responseEnded_ = false;
  bool paused_ = false;
  bool dead_ = false;

 private:
  ClientConnection& conn_;
  bool chunked_;
};

ClientConnection::ClientConnection(sdk::ByteStream& stream, const HttpSettings& settings)
    : stream_(stream), settings_(settings) {
  stream_.setHandler(this);
}

ClientConnection::~ClientConnection() {
  if (current_ && current_->handler_ && !current_->responseEnded_) {
    auto* h = current_->handler_;
    current_->handler_ = nullptr;
    h->onReset({sdk::ResetCode::InternalError, "upstream connection closed"});
  }
}

sdk::ClientExchange* ClientConnection::startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                                    sdk::ResponseHandler& handler) {
  if (!canStartRequest()) return nullptr;
  finished_.clear();
  // Request heads come from this plugin's server codec, already without hop-by-hop headers.
  bool hasLength = static_cast<bool>(sdk::findHeader(head.headers, "content-length"));
  bool chunked = !hasLength && !endOfMessage;
  std::string out;
  out.reserve(256);
  out.append(head.method).append(" ").append(head.target).append(" HTTP/1.1\r\n");
  appendFields(out, head.headers);
  if (chunked) out.append("transfer-encoding: chunked\r\n");
  if (!head.host.empty() && !sdk::findHeader(head.headers, "host")) out.append("Host: ").append(head.host).append("\r\n");
  out.append("\r\n");
  current_ = std::make_unique<Exchange>(*this, handler, head.method, chunked);
  current_->requestEnded_ = endOfMessage;
  stream_.write(out);
  return current_.get();
}

void ClientConnection::onData(std::string_view bytes) {
  finished_.clear();
  in_.append(bytes);
  process();
}

void ClientConnection::onWritable() {
  finished_.clear();
  if (current_ && current_->handler_) current_->handler_->onWritable();
}

void ClientConnection::onClosed(const std::string& error) {
  closed_ = true;
  if (!current_ || !current_->handler_) return;
  if (current_->headSeen_ && current_->decoder_ && current_->decoder_->finishAtClose()) {
    current_->responseEnded_ = true;
    auto* h = current_->handler_;
    current_->handler_ = nullptr;
    h->onEnd({});
    return;
  }
  auto* h = current_->handler_;
  current_->handler_ = nullptr;
  h->onReset({sdk::ResetCode::InternalError, error.empty() ? "upstream closed the connection" : error});
}

void ClientConnection::fail(const std::string& why) {
  closed_ = true;
  stream_.abort();
  if (current_ && current_->handler_) {
    auto* h = current_->handler_;
    current_->handler_ = nullptr;
    h->onReset({sdk::ResetCode::InternalError, why});
  }
}

void ClientConnection::exchangeDone() {
  if (current_) finished_.push_back(std::move(current_));
}

void ClientConnection::process() {
  if (processing_) return;
  processing_ = true;
  while (current_ && current_->handler_ && !in_.empty()) {
    Exchange& ex = *current_;
    if (!ex.headSeen_) {
      ParseError error;
      HeadLimits limits{64 * 1024, 64 * 1024};
      std::size_t end = findHeadEnd(in_, limits, &error);
      if (end == static_cast<std::size_t>(-1)) {
        fail("upstream response head: " + error.message);
        break;
      }
      if (end == 0) break;
      sdk::HttpResponseHead head;
      int minor = 1;
      if (!parseResponseHead(std::string_view(in_).substr(0, end), &head, &minor, &error)) {
        fail(error.message);
        break;
      }
      in_.erase(0, end);
      if (head.status >= 100 && head.status < 200) {
        if (head.status == 101) {
          fail("upstream switched protocols (101), which is not supported");
          break;
        }
        continue;  // interim response: the real one follows
      }
      Framing framing;
      if (!responseFraming(head.headers, ex.method_, head.status, &framing, &error)) {
        fail(error.message);
        break;
      }
      if (settings_.maxResponseBytes && framing.kind == Framing::Kind::Length && framing.length > *settings_.maxResponseBytes) {
        fail("response body of " + std::to_string(framing.length) + " bytes exceeds maxResponseKB (" +
             std::to_string(*settings_.maxResponseBytes / 1024) + ")");
        break;
      }
      if (wantsClose(head.headers, minor) || framing.kind == Framing::Kind::UntilClose) closeAfter_ = true;
      ex.headSeen_ = true;
      ex.decoder_ = std::make_unique<BodyDecoder>(framing);
      sdk::HttpResponseHead& forwarded = head;
      stripHopByHop(forwarded.headers);
      bool bodyless = framing.kind == Framing::Kind::None;
      auto* h = ex.handler_;
      if (bodyless) {
        // Settle the connection's state before the handler runs: it may hand it back at once.
        ex.responseEnded_ = true;
        ex.handler_ = nullptr;
        if (ex.requestEnded_) {
          exchangeDone();
        } else {
          closeAfter_ = true;  // answered before the whole request was sent
        }
      }
      h->onResponseHead(forwarded, bodyless);
      if (bodyless) break;
      continue;
    }
    if (ex.paused_) break;
    ParseError error;
    std::string decoded;
    long used = ex.decoder_->feed(in_, &decoded, &error);
    if (used < 0) {
      fail("upstream response body: " + error.message);
      break;
    }
    in_.erase(0, static_cast<std::size_t>(used));
    if (!decoded.empty() && ex.handler_) ex.handler_->onBody(decoded);
    if (!current_ || current_.get() != &ex || !ex.handler_) break;
    if (ex.decoder_->done()) {
      ex.responseEnded_ = true;
      auto* h = ex.handler_;
      ex.handler_ = nullptr;
      sdk::HeaderList trailers = ex.decoder_->trailers();
      if (ex.requestEnded_) {
        exchangeDone();
      } else {
        closeAfter_ = true;  // the upstream answered before reading the whole request
      }
      h->onEnd(trailers);
      break;
    }
    if (used == 0) break;
  }
  processing_ = false;
}

}  // namespace ferry::plugins::protocol::http
