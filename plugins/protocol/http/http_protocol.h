#pragma once
// `protocol: http`: HTTP/1.0 and HTTP/1.1 (Linkerd 1.x docs: HTTP/1.1 protocol).

#include <memory>
#include <vector>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/http/settings.h"

namespace ferry::plugins::protocol::http {

class HttpProtocol final : public sdk::Protocol {
 public:
  HttpProtocol(HttpSettings settings, std::vector<ServerSettings> servers)
      : settings_(std::move(settings)), servers_(std::move(servers)) {}

  bool multiplexed() const override { return false; }
  bool resetsUnidentified() const override { return false; }
  std::unique_ptr<sdk::ByteStreamHandler> newServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router,
                                                               std::size_t serverIndex) override;
  std::unique_ptr<sdk::ClientConnection> newClientConnection(sdk::ByteStream& stream) override;

 private:
  HttpSettings settings_;
  std::vector<ServerSettings> servers_;
};

}  // namespace ferry::plugins::protocol::http
