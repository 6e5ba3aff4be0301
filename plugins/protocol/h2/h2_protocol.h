#pragma once
// `protocol: h2`: HTTP/2 and gRPC (Linkerd 1.x docs: HTTP/2 protocol), framing by nghttp2.

#include <memory>
#include <vector>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/h2/settings.h"

namespace ferry::plugins::protocol::h2 {

class H2Protocol final : public sdk::Protocol {
 public:
  H2Protocol(std::vector<ServerSettings> servers, SessionSettings client)
      : servers_(std::move(servers)), client_(client) {}

  bool multiplexed() const override { return true; }
  bool resetsUnidentified() const override { return true; }
  std::unique_ptr<sdk::ByteStreamHandler> newServerConnection(sdk::ByteStream& stream, sdk::RequestRouter& router,
                                                               std::size_t serverIndex) override;
  std::unique_ptr<sdk::ClientConnection> newClientConnection(sdk::ByteStream& stream) override;

 private:
  std::vector<ServerSettings> servers_;
  SessionSettings client_;
};

}  // namespace ferry::plugins::protocol::h2
