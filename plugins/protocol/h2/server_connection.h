#pragma once
// The server side of h2: each request stream becomes a ServerExchange for the router; responses,
// trailers and resets go back on the same stream. Prior-knowledge h2c (or h2 after ALPN): the
// connection must start with the HTTP/2 preface.

#include <memory>

#include "plugins/common/http/server_headers.h"
#include "plugins/protocol/h2/session.h"
#include "ferry/sdk/slot_vector.h"

namespace ferry::plugins::protocol::h2 {

class ServerConnection final : public Session {
 public:
  ServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router, const ServerSettings& settings);
  ~ServerConnection() override;

  /** Checks the client preface first: an HTTP/1 client is answered 505 rather than dropped. */
  void onData(std::string_view bytes) override;
  /** GOAWAY: streams already started finish, new ones are refused, then the connection closes. */
  void onShutdown() override;

 private:
  class Exchange;
  friend class Exchange;

  Stream* beginStream(int32_t id) override;
  void onHeaders(Stream& stream, sdk::HeaderList headers, bool endStream, bool tooLarge) override;
  void onBodyEnded(Stream& stream) override;
  void onStreamClosed(Stream& stream, uint32_t code) override;
  void onConnectionLost(const std::string& why) override;
  /** Answers a request this codec refuses on its own (431, call depth), with l5d-err. */
  void refuse(Exchange& exchange, int status, const std::string& message);
  /** headerReadTimeoutMs passed before the preface or inside a header block. */
  void headTimedOut();

  sdk::RequestRouter& router_;
  const ServerSettings& server_;
  common::http::RequestHeaderStamper stamper_;
  sdk::SlotVector<Exchange> exchanges_;
  std::size_t prefaceSeen_ = 0;
  common::http::ConnectionGuard guard_;  ///< last: its timers call into the members above
};

}  // namespace ferry::plugins::protocol::h2
