#pragma once
// sdk::HttpClient on Asio: one connection per call, streaming response bodies (Content-Length,
// chunked, or until close), head and idle timeouts, TLS when the request asks (the data plane's
// TlsSession over the call's socket). Callbacks run on the loop's thread.

#include <boost/asio/io_context.hpp>

#include <map>
#include <memory>
#include <string>

#include "core/net/tls.h"
#include "ferry/sdk/http_client.h"

namespace ferry::core::http_client {

class AsyncHttpClient final : public sdk::HttpClient {
 public:
  explicit AsyncHttpClient(boost::asio::io_context& io) : io_(io) {}
  sdk::HttpCallPtr send(sdk::HttpClientRequest request, std::shared_ptr<sdk::HttpResponseHandler> handler) override;

 private:
  sdk::Result<std::shared_ptr<const net::TlsContext>> tlsContext(const sdk::HttpClientTls& tls);

  boost::asio::io_context& io_;
  std::map<std::string, std::shared_ptr<const net::TlsContext>> tlsContexts_;
};

}  // namespace ferry::core::http_client
