#include "plugins/protocol/http/http_protocol.h"

#include "plugins/protocol/http/client_connection.h"
#include "plugins/protocol/http/server_connection.h"

namespace ferry::plugins::protocol::http {

std::unique_ptr<sdk::ByteStreamHandler> HttpProtocol::newServerConnection(sdk::ByteStream& stream,
                                                                           sdk::RequestRouter& router,
                                                                           std::size_t serverIndex) {
  const ServerSettings& server = serverIndex < servers_.size() ? servers_[serverIndex] : servers_.back();
  return std::make_unique<ServerConnection>(stream, router, settings_, server);
}

std::unique_ptr<sdk::ClientConnection> HttpProtocol::newClientConnection(sdk::ByteStream& stream) {
  return std::make_unique<ClientConnection>(stream, settings_);
}

}  // namespace ferry::plugins::protocol::http
