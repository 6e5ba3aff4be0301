#include "core/http_client/async_http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "core/http_client/response_parser.h"
#include "ferry/sdk/http.h"

namespace ferry::core::http_client {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/** One call: connect, send, parse the response as it streams in (ResponseParser). */
class Call final : public std::enable_shared_from_this<Call>, private ResponseSink {
 public:
  Call(asio::io_context& io, sdk::HttpClientRequest req, std::shared_ptr<sdk::HttpResponseHandler> handler)
      : resolver_(io), socket_(io), timer_(io), req_(std::move(req)), handler_(std::move(handler)),
        parser_(req_.method == "HEAD") {}

  void start() {
    armTimer(req_.headTimeout, "timed out waiting for the response head");
    auto self = shared_from_this();
    resolver_.async_resolve(req_.host, std::to_string(req_.port),
                            [self](const boost::system::error_code& ec, tcp::resolver::results_type results) {
                              if (self->done_) return;
                              if (ec) return self->fail("cannot resolve " + self->req_.host + ": " + ec.message());
                              asio::async_connect(self->socket_, results,
                                                  [self](const boost::system::error_code& ec2, const tcp::endpoint&) {
                                                    if (self->done_) return;
                                                    if (ec2) {
                                                      return self->fail("cannot connect to " + self->req_.host + ":" +
                                                                        std::to_string(self->req_.port) + ": " +
                                                                        ec2.message());
                                                    }
                                                    self->sendRequest();
                                                  });
                            });
  }

  /** Stops the call; no handler method runs afterwards. */
  void abort() {
    done_ = true;
    handler_.reset();
    boost::system::error_code ec;
    timer_.cancel();
    resolver_.cancel();
    socket_.close(ec);
  }

 private:
  void armTimer(std::chrono::milliseconds after, const char* what) {
    timer_.cancel();
    if (after.count() <= 0) return;
    timer_.expires_after(after);
    std::weak_ptr<Call> weak = shared_from_this();
    timer_.async_wait([weak, what](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self || ec || self->done_) return;
      self->fail(what);
    });
  }

  void sendRequest() {
    std::string head = req_.method + " " + req_.target + " HTTP/1.1\r\n";
    bool hasHost = false;
    for (const auto& [k, v] : req_.headers) {
      if (sdk::headerNameEquals(k, "host")) hasHost = true;
      head += k + ": " + v + "\r\n";
    }
    if (!hasHost) head += "Host: " + req_.host + ":" + std::to_string(req_.port) + "\r\n";
    if (!req_.body.empty() || req_.method == "POST" || req_.method == "PUT") {
      head += "Content-Length: " + std::to_string(req_.body.size()) + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    out_ = head + req_.body;
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(out_), [self](const boost::system::error_code& ec, std::size_t) {
      if (self->done_) return;
      if (ec) return self->fail("cannot send request: " + ec.message());
      self->read();
    });
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
      if (self->done_) return;
      if (ec == asio::error::eof) return self->handle(self->parser_.finish());
      if (ec) return self->fail("read failed: " + ec.message());
      self->handle(self->parser_.feed(std::string_view(self->buf_.data(), n), *self));
      if (!self->done_) self->read();
    });
  }

  // The parser's sink: the handler, with the timers and the abort the call adds around it.
  bool onHead(int status, const sdk::HeaderList& headers) override {
    if (handler_) handler_->onHead(status, headers);
    if (!done_) armTimer(req_.idleTimeout, "timed out waiting for response data");
    return !done_;
  }

  bool onData(std::string_view bytes) override {
    if (handler_) handler_->onData(bytes);
    if (!done_) armTimer(req_.idleTimeout, "timed out waiting for response data");
    return !done_;
  }

  void handle(ResponseParser::Status status) {
    if (status == ResponseParser::Status::Complete) return complete();
    if (status == ResponseParser::Status::Failed) return fail(parser_.error());
  }

  void complete() {
    if (done_) return;
    auto h = handler_;
    abort();
    if (h) h->onComplete();
  }

  void fail(const std::string& why) {
    if (done_) return;
    auto h = handler_;
    abort();
    if (h) h->onError(why);
  }

  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  sdk::HttpClientRequest req_;
  std::shared_ptr<sdk::HttpResponseHandler> handler_;
  ResponseParser parser_;
  std::string out_;
  std::array<char, 16 * 1024> buf_{};
  bool done_ = false;
};

class CallHandle final : public sdk::HttpCall {
 public:
  explicit CallHandle(std::shared_ptr<Call> call) : call_(std::move(call)) {}
  ~CallHandle() override { call_->abort(); }

 private:
  std::shared_ptr<Call> call_;
};

}  // namespace

sdk::HttpCallPtr AsyncHttpClient::send(sdk::HttpClientRequest request, std::shared_ptr<sdk::HttpResponseHandler> handler) {
  auto call = std::make_shared<Call>(io_, std::move(request), std::move(handler));
  call->start();
  return std::make_unique<CallHandle>(std::move(call));
}

}  // namespace ferry::core::http_client
