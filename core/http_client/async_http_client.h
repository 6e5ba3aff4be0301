#pragma once
// sdk::HttpClient on Asio: one connection per call, streaming response bodies (Content-Length,
// chunked, or until close), head and idle timeouts. Callbacks run on the loop's thread.

#include <boost/asio/io_context.hpp>

#include "ferry/sdk/http_client.h"

namespace ferry::core::http_client {

class AsyncHttpClient final : public sdk::HttpClient {
 public:
  explicit AsyncHttpClient(boost::asio::io_context& io) : io_(io) {}
  sdk::HttpCallPtr send(sdk::HttpClientRequest request, std::shared_ptr<sdk::HttpResponseHandler> handler) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace ferry::core::http_client
