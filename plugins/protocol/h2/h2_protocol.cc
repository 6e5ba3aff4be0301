#include "plugins/protocol/h2/h2_protocol.h"

#include "plugins/protocol/h2/client_connection.h"
#include "plugins/protocol/h2/server_connection.h"

namespace ferry::plugins::protocol::h2 {

std::unique_ptr<sdk::ByteStreamHandler> H2Protocol::newServerConnection(sdk::ByteStream& stream,
                                                                         sdk::RequestRouter& router,
                                                                         std::size_t serverIndex) {
  return std::make_unique<ServerConnection>(stream, router, servers_.at(serverIndex));
}

std::unique_ptr<sdk::ClientConnection> H2Protocol::newClientConnection(sdk::ByteStream& stream) {
  return std::make_unique<ClientConnection>(stream, client_);
}

}  // namespace ferry::plugins::protocol::h2
