#pragma once
// The client side of h2: requests become streams on one multiplexed connection to an endpoint
// (prior-knowledge h2c). The pool opens another connection only when this one cannot start a
// stream: the peer's SETTINGS_MAX_CONCURRENT_STREAMS is reached, or it sent GOAWAY.

#include <memory>

#include "plugins/protocol/h2/session.h"
#include "ferry/sdk/slot_vector.h"

namespace ferry::plugins::protocol::h2 {

class ClientConnection final : public Session, public sdk::ClientConnection {
 public:
  ClientConnection(sdk::ByteStream& stream, const SessionSettings& settings);
  ~ClientConnection() override;

  // sdk::ClientConnection
  bool canStartRequest() const override;
  sdk::ClientExchange* startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                    sdk::ResponseHandler& handler) override;
  bool reusable() const override { return !dead() && !goAwayReceived(); }

 private:
  class Exchange;
  friend class Exchange;

  Stream* beginStream(int32_t) override { return nullptr; }  // servers cannot open streams (no push)
  void onHeaders(Stream& stream, sdk::HeaderList headers, bool endStream, bool tooLarge) override;
  void onBodyEnded(Stream& stream) override;
  void onMalformedResponse(Stream& stream, const char* why) override;
  void onStreamClosed(Stream& stream, uint32_t code) override;
  void onConnectionLost(const std::string& why) override;

  sdk::SlotVector<Exchange> exchanges_;
};

}  // namespace ferry::plugins::protocol::h2
