#include "core/http_client/async_http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <charconv>

namespace ferry::core::http_client {
namespace {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

/** One call: connect, send, parse the response as it streams in. */
class Call final : public std::enable_shared_from_this<Call> {
 public:
  Call(asio::io_context& io, sdk::HttpClientRequest req, std::shared_ptr<sdk::HttpResponseHandler> handler)
      : resolver_(io), socket_(io), timer_(io), req_(std::move(req)), handler_(std::move(handler)) {}

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
      if (sdkHeaderEquals(k, "host")) hasHost = true;
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
      if (ec) {
        if (ec == asio::error::eof && self->state_ == State::BodyUntilClose) return self->complete();
        if (ec == asio::error::eof) return self->fail("connection closed before the response ended");
        return self->fail("read failed: " + ec.message());
      }
      self->in_.append(self->buf_.data(), n);
      self->parse();
      if (!self->done_) self->read();
    });
  }

  static bool sdkHeaderEquals(const std::string& a, const char* b) {
    std::size_t n = std::char_traits<char>::length(b);
    if (a.size() != n) return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
    }
    return true;
  }

  void parse() {
    while (!done_) {
      if (state_ == State::Head) {
        auto end = in_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (in_.size() > 64 * 1024) fail("response head larger than 64 KiB");
          return;
        }
        if (!parseHead(in_.substr(0, end))) return;
        in_.erase(0, end + 4);
        armTimer(req_.idleTimeout, "timed out waiting for response data");
        continue;
      }
      if (state_ == State::BodyLength) {
        std::size_t take = std::min<std::size_t>(remaining_, in_.size());
        if (take) {
          deliver(in_.substr(0, take));
          in_.erase(0, take);
          remaining_ -= take;
        }
        if (remaining_ == 0) return complete();
        return;
      }
      if (state_ == State::BodyUntilClose) {
        if (!in_.empty()) deliver(in_);
        in_.clear();
        return;
      }
      if (state_ == State::ChunkSize) {
        auto eol = in_.find("\r\n");
        if (eol == std::string::npos) return;
        std::string line = in_.substr(0, eol);
        auto semi = line.find(';');
        if (semi != std::string::npos) line.resize(semi);
        std::size_t size = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), size, 16);
        if (ec != std::errc() || p != line.data() + line.size() || line.empty()) return fail("bad chunk size");
        in_.erase(0, eol + 2);
        remaining_ = size;
        state_ = size == 0 ? State::Trailers : State::ChunkData;
        continue;
      }
      if (state_ == State::ChunkData) {
        if (remaining_ > 0) {
          std::size_t take = std::min<std::size_t>(remaining_, in_.size());
          if (take == 0) return;
          deliver(in_.substr(0, take));
          in_.erase(0, take);
          remaining_ -= take;
          if (remaining_ > 0) return;
        }
        if (in_.size() < 2) return;
        if (in_.compare(0, 2, "\r\n") != 0) return fail("missing CRLF after chunk");
        in_.erase(0, 2);
        state_ = State::ChunkSize;
        continue;
      }
      if (state_ == State::Trailers) {
        auto eol = in_.find("\r\n");
        if (eol == std::string::npos) return;
        bool last = eol == 0;
        in_.erase(0, eol + 2);
        if (last) return complete();
        continue;
      }
    }
  }

  bool parseHead(const std::string& head) {
    auto eol = head.find("\r\n");
    std::string status = head.substr(0, eol);
    if (status.rfind("HTTP/1.", 0) != 0 || status.size() < 12) {
      fail("malformed status line '" + status + "'");
      return false;
    }
    int code = std::atoi(status.c_str() + 9);
    sdk::HeaderList headers;
    bool chunked = false;
    long long length = -1;
    std::size_t pos = eol == std::string::npos ? head.size() : eol + 2;
    while (pos < head.size()) {
      auto next = head.find("\r\n", pos);
      std::string line = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      pos = next == std::string::npos ? head.size() : next + 2;
      auto colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string k = line.substr(0, colon);
      std::string v = line.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      if (sdkHeaderEquals(k, "transfer-encoding") && v.find("chunked") != std::string::npos) chunked = true;
      if (sdkHeaderEquals(k, "content-length")) length = std::atoll(v.c_str());
      headers.emplace_back(std::move(k), std::move(v));
    }
    if (handler_) handler_->onHead(code, headers);
    if (done_) return false;
    bool noBody = req_.method == "HEAD" || code == 204 || code == 304 || (code >= 100 && code < 200);
    if (noBody) {
      complete();
      return false;
    }
    if (chunked) {
      state_ = State::ChunkSize;
    } else if (length >= 0) {
      state_ = State::BodyLength;
      remaining_ = static_cast<std::size_t>(length);
    } else {
      state_ = State::BodyUntilClose;
    }
    return true;
  }

  void deliver(const std::string& chunk) {
    if (handler_ && !chunk.empty()) handler_->onData(chunk);
    if (!done_) armTimer(req_.idleTimeout, "timed out waiting for response data");
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

  enum class State { Head, BodyLength, BodyUntilClose, ChunkSize, ChunkData, Trailers };
  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  sdk::HttpClientRequest req_;
  std::shared_ptr<sdk::HttpResponseHandler> handler_;
  std::string out_;
  std::string in_;
  std::array<char, 16 * 1024> buf_{};
  State state_ = State::Head;
  std::size_t remaining_ = 0;
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
