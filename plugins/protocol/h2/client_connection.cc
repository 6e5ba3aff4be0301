#include "plugins/protocol/h2/client_connection.h"

#include "ferry/sdk/recycled.h"

#include "plugins/protocol/h2/headers.h"

namespace ferry::plugins::protocol::h2 {

class ClientConnection::Exchange final : public Stream, public sdk::ClientExchange, public sdk::Recycled<ClientConnection::Exchange> {
 public:
  Exchange(ClientConnection& conn, sdk::ResponseHandler& handler) : handler_(&handler), conn_(conn) { sink = &handler; }

  // sdk::ClientExchange
  bool sendRequestBody(std::string_view chunk) override { return done ? true : conn_.sendBody(*this, chunk); }
  void endRequest(const sdk::HeaderList& trailers) override {
    if (!done) conn_.endBody(*this, regularFields(trailers));
  }
  void pauseResponseBody(bool paused) override { conn_.pauseInbound(*this, paused); }
  void reset(const sdk::StreamReset& why) override {
    // Also after the response ended: a request still being sent is stopped (RST_STREAM NO_ERROR).
    abandon();
    conn_.resetStream(*this, fromResetCode(why.code));
  }

  /** No call reaches the handler after this. */
  sdk::ResponseHandler* abandon() {
    done = true;
    sink = nullptr;
    return std::exchange(handler_, nullptr);
  }
  sdk::ResponseHandler* handler() const { return done ? nullptr : handler_; }

  bool headSeen = false;

 private:
  sdk::ResponseHandler* handler_;
  ClientConnection& conn_;
};

ClientConnection::ClientConnection(sdk::ByteStream& stream, const SessionSettings& settings)
    : Session(stream, settings, Role::Client) {
  flush();  // the preface and our SETTINGS
}

ClientConnection::~ClientConnection() { onConnectionLost("upstream connection closed"); }

bool ClientConnection::canStartRequest() const {
  if (dead() || goAwayReceived()) return false;
  auto* s = session();
  uint32_t limit = nghttp2_session_get_remote_settings(s, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
  return exchanges_.size() < limit && nghttp2_session_get_next_stream_id(s) < (1u << 31) - 2;
}

sdk::ClientExchange* ClientConnection::startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                                    sdk::ResponseHandler& handler) {
  if (!canStartRequest()) return nullptr;
  auto ex = std::make_unique<Exchange>(*this, handler);
  HeaderBlock block;
  requestBlock(head, "http", block);
  keepHeadBlock(*ex, block);
  ex->responseChecks.requestMethod(head.method);
  ex->outboundEnded = endOfMessage;
  auto data = provider(*ex);
  int32_t id = nghttp2_submit_request(session(), nullptr, block.data(), block.size(), endOfMessage ? nullptr : &data, ex.get());
  if (id < 0) return nullptr;
  ex->id = id;
  Exchange* raw = exchanges_.add(std::move(ex));
  flushSoon();
  return raw;
}

void ClientConnection::onHeaders(Stream& stream, sdk::HeaderList headers, bool endStream, bool tooLarge) {
  auto& ex = static_cast<Exchange&>(stream);
  if (ex.done) return;
  if (tooLarge) {
    auto* h = ex.abandon();
    resetStream(ex, NGHTTP2_INTERNAL_ERROR);
    if (h) h->onReset({sdk::ResetCode::InternalError, "response header list exceeds maxHeaderListBytes"});
    return;
  }
  if (ex.headSeen) {
    // Trailers end the response.
    ex.inboundEnded = true;
    if (auto* h = ex.abandon()) h->onEnd(withoutPseudo(std::move(headers)));
    return;
  }
  int status = ex.incomingStatus;  // kept out of the list by the session
  if (status >= 100 && status < 200) return;  // informational: the final head follows
  ex.headSeen = true;
  sdk::HttpResponseHead head;
  head.status = status;
  head.headers = std::move(headers);
  if (endStream) {
    ex.inboundEnded = true;
    if (auto* h = ex.abandon()) h->onResponseHead(head, true);
  } else if (auto* h = ex.handler()) {
    h->onResponseHead(head, false);
  }
  // The handler had the head for the call only: its list receives the trailers, or is kept for
  // later streams' blocks when this one retires.
  ex.incoming = std::move(head.headers);
}

void ClientConnection::onMalformedResponse(Stream& stream, const char* why) {
  if (auto* h = static_cast<Exchange&>(stream).abandon()) {
    h->onReset({sdk::ResetCode::ProtocolError, std::string("the upstream's response broke an HTTP/2 rule: ") + why});
  }
}

void ClientConnection::onBodyEnded(Stream& stream) {
  if (auto* h = static_cast<Exchange&>(stream).abandon()) h->onEnd({});
}

void ClientConnection::onStreamClosed(Stream& stream, uint32_t code) {
  auto& ex = static_cast<Exchange&>(stream);
  if (!ex.done && !ex.inboundEnded) {
    if (auto* h = ex.abandon()) {
      h->onReset({toResetCode(code), "the upstream reset the stream (" + errorCodeName(code) + ")"});
    }
  }
  if (auto owned = exchanges_.take(ex)) retire(std::move(owned));
}

void ClientConnection::onConnectionLost(const std::string& why) {
  for (auto& ex : exchanges_) {
    if (ex->done || ex->inboundEnded) continue;
    if (auto* h = ex->abandon()) h->onReset({sdk::ResetCode::InternalError, why});
  }
}

}  // namespace ferry::plugins::protocol::h2
