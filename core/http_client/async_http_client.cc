#include "core/http_client/async_http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "core/http_client/response_parser.h"
#include "core/net/tls.h"
#include "ferry/sdk/http.h"

namespace ferry::core::http_client {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/**
 * One call: connect, (TLS handshake,) send, parse the response as it streams in
 * (ResponseParser). With TLS, a TlsSession turns ciphertext into plaintext and back; the
 * socket I/O stays here.
 */
class Call final : public std::enable_shared_from_this<Call>, private ResponseSink {
 public:
  Call(asio::io_context& io, sdk::HttpClientRequest req, std::shared_ptr<sdk::HttpResponseHandler> handler,
       std::shared_ptr<const net::TlsContext> tls)
      : resolver_(io), socket_(io), timer_(io), req_(std::move(req)), handler_(std::move(handler)),
        parser_(req_.method == "HEAD"), tlsContext_(std::move(tls)) {}

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

  /** Fails the call from the event loop, as if it had been tried (the handler never runs inline). */
  void failSoon(std::string why) {
    auto self = shared_from_this();
    asio::post(resolver_.get_executor(), [self, why = std::move(why)] { self->fail(why); });
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
    if (tlsContext_) {
      // The request goes out encrypted; the session holds it until the handshake ends.
      std::string name = req_.tls.commonName.empty() ? req_.host : req_.tls.commonName;
      tls_ = std::make_unique<net::TlsSession>(tlsContext_, name);
      std::string error;
      if (!tls_->start(outgoing_, &error)) return fail("TLS to " + req_.host + ": " + error);
    }
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
    std::string plain = head + req_.body;
    if (tls_) {
      std::string error;
      if (!tls_->send(plain, outgoing_, &error)) return fail("TLS to " + req_.host + ": " + error);
    } else {
      outgoing_ += plain;
    }
    flush();
    read();
  }

  /** Writes what is queued, one write at a time (TLS handshake replies may queue more). */
  void flush() {
    if (writing_ || outgoing_.empty() || done_) return;
    writing_ = true;
    inFlight_ = std::move(outgoing_);
    outgoing_.clear();
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(inFlight_), [self](const boost::system::error_code& ec, std::size_t) {
      self->writing_ = false;
      if (self->done_) return;
      if (ec) return self->fail("cannot send request: " + ec.message());
      self->flush();
    });
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buf_), [self](const boost::system::error_code& ec, std::size_t n) {
      if (self->done_) return;
      if (ec == asio::error::eof) return self->handle(self->parser_.finish());
      if (ec) return self->fail("read failed: " + ec.message());
      std::string_view bytes(self->buf_.data(), n);
      if (!self->tls_) {
        self->handle(self->parser_.feed(bytes, *self));
      } else {
        std::string error;
        bool ok = self->tls_->receive(bytes, self->outgoing_, &error, [&](std::string_view plain) {
          self->handle(self->parser_.feed(plain, *self));
          return !self->done_;
        });
        if (!ok) return self->fail("TLS to " + self->req_.host + ": " + error);
        self->flush();
      }
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
  std::shared_ptr<const net::TlsContext> tlsContext_;
  std::unique_ptr<net::TlsSession> tls_;
  std::string outgoing_;  ///< bytes to write next
  std::string inFlight_;  ///< bytes being written
  bool writing_ = false;
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
  std::shared_ptr<const net::TlsContext> tls;
  if (request.tls.enabled) {
    auto context = tlsContext(request.tls);
    if (!context) {
      // The files named are missing or unreadable: the call fails at once, with the reason.
      auto failing = std::make_shared<Call>(io_, std::move(request), std::move(handler), nullptr);
      failing->failSoon("TLS: " + context.message());
      return std::make_unique<CallHandle>(std::move(failing));
    }
    tls = *context;
  }
  auto call = std::make_shared<Call>(io_, std::move(request), std::move(handler), std::move(tls));
  call->start();
  return std::make_unique<CallHandle>(std::move(call));
}

sdk::Result<std::shared_ptr<const net::TlsContext>> AsyncHttpClient::tlsContext(const sdk::HttpClientTls& tls) {
  // One context per distinct settings: a watch reconnects often, and loading CA files each time
  // would cost more than the call.
  std::string key = tls.commonName + '\0' + (tls.disableValidation ? "1" : "0") + '\0' + tls.clientCertPath + '\0' +
                    tls.clientKeyPath;
  for (const auto& ca : tls.trustCerts) key += '\0' + ca;
  auto found = tlsContexts_.find(key);
  if (found != tlsContexts_.end()) return found->second;
  net::ClientTlsConfig config;
  config.disableValidation = tls.disableValidation;
  if (!tls.commonName.empty()) config.commonName = tls.commonName;
  config.trustCerts = tls.trustCerts;
  if (!tls.clientCertPath.empty()) config.clientCertPath = tls.clientCertPath;
  if (!tls.clientKeyPath.empty()) config.clientKeyPath = tls.clientKeyPath;
  auto context = net::TlsContext::client(config, "http/1.1");
  if (!context) return context.status();
  std::shared_ptr<const net::TlsContext> shared = std::move(context).value();
  tlsContexts_.emplace(std::move(key), shared);
  return shared;
}

}  // namespace ferry::core::http_client
