#pragma once
// The server side of HTTP/1.x: reads requests from a client connection, hands each to the
// router as a ServerExchange, and writes the responses back in request order. Pipelined
// requests wait in the input buffer until the response before them has ended.

#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/http/http1_parse.h"
#include "plugins/protocol/http/settings.h"

namespace ferry::plugins::protocol::http {

class ServerConnection final : public sdk::ByteStreamHandler {
 public:
  ServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router, const HttpSettings& settings,
                   const ServerSettings& server);
  ~ServerConnection() override;

  // sdk::ByteStreamHandler
  void onData(std::string_view bytes) override;
  void onWritable() override;
  void onClosed(const std::string& error) override;
  /** Closes now if idle, else after the current response (which says Connection: close). */
  void onShutdown() override;

 private:
  class Exchange;
  friend class Exchange;

  /** Parses and dispatches as far as the buffered input allows. */
  void process();
  /** Answers a request this codec refuses, then closes the connection. */
  void refuse(int status, const std::string& message);
  /** The current exchange's response ended. */
  void exchangeEnded(bool canContinue);
  void closeAfterWrite();
  /** headerReadTimeoutMs passed with a head incomplete: 408, then close. */
  void headTimedOut();

  sdk::ByteStream& stream_;
  sdk::RequestRouter& router_;
  const HttpSettings& settings_;
  const ServerSettings& server_;
  std::string in_;
  std::unique_ptr<Exchange> current_;
  std::vector<std::unique_ptr<Exchange>> finished_;  ///< freed when no call of theirs is on the stack
  bool processing_ = false;
  bool closing_ = false;
  bool draining_ = false;
  common::http::RequestHeaderStamper stamper_;
  common::http::ConnectionGuard guard_;  ///< last: its timers call into the members above
};

}  // namespace ferry::plugins::protocol::http
