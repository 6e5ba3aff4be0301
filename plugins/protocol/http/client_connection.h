#pragma once
// The client side of HTTP/1.1: writes one request at a time on an upstream connection and reads
// its response, streaming both bodies. 1xx interim responses are skipped (this proxy answers
// Expect itself); a response that ends with the connection makes it unusable afterwards.

#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/http/http1_parse.h"
#include "plugins/protocol/http/settings.h"

namespace ferry::plugins::protocol::http {

class ClientConnection final : public sdk::ClientConnection, public sdk::ByteStreamHandler {
 public:
  ClientConnection(sdk::ByteStream& stream, const HttpSettings& settings);
  ~ClientConnection() override;

  // sdk::ClientConnection
  bool canStartRequest() const override { return !current_ && !closed_ && !closeAfter_; }
  sdk::ClientExchange* startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                    sdk::ResponseHandler& handler) override;
  bool reusable() const override { return !closed_ && !closeAfter_ && !current_; }

  // sdk::ByteStreamHandler
  void onData(std::string_view bytes) override;
  void onWritable() override;
  void onClosed(const std::string& error) override;

 private:
  class Exchange;
  friend class Exchange;
  void process();
  void fail(const std::string& why);
  void exchangeDone();

  sdk::ByteStream& stream_;
  const HttpSettings& settings_;
  std::string in_;
  std::unique_ptr<Exchange> current_;
  std::vector<std::unique_ptr<Exchange>> finished_;
  bool closed_ = false;
  bool closeAfter_ = false;
  bool processing_ = false;
};

}  // namespace ferry::plugins::protocol::http
