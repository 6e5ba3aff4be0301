#include "core/net/tcp_stream.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

namespace ferry::core::net {
namespace asio = boost::asio;

namespace {
// One read buffer per thread, not per connection: a read is handed to the handler and consumed
// (or copied) before the next read on this thread starts. Idle keep-alive connections then cost
// a few hundred bytes instead of 32 KiB each. Allocated on first use: a thread_local array would
// be zeroed in every thread's TLS block, the admin and main threads included.
constexpr std::size_t kReadBufferSize = 64 * 1024;
thread_local std::unique_ptr<char[]> tReadBuffer;

char* readBuffer() {
  if (!tReadBuffer) tReadBuffer = std::make_unique<char[]>(kReadBufferSize);
  return tReadBuffer.get();
}

// Streams written to while a read callback runs on this thread. They are flushed when the
// callback returns: a request read on one connection typically writes to another, and this
// sends those bytes without a posted flush per stream. Outside read callbacks, writes post.
thread_local bool tInReadCallback = false;
thread_local std::vector<std::shared_ptr<TcpStream>> tPendingFlush;

void flushPending() {
  while (!tPendingFlush.empty()) {
    auto batch = std::move(tPendingFlush);
    tPendingFlush.clear();
    for (auto& s : batch) s->flushNow();
  }
}
}  // namespace

std::string endpointText(const asio::ip::tcp::endpoint& e) {
  auto addr = e.address();
  std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(e.port());
}

TcpStream::TcpStream(asio::ip::tcp::socket socket, server::EventLoop& loop) : socket_(std::move(socket)), loop_(loop) {
  boost::system::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  // read_some after async_wait must not block: the socket is non-blocking for this side too.
  socket_.non_blocking(true, ec);
  auto peer = socket_.remote_endpoint(ec);
  if (!ec) peer_ = endpointText(peer);
  auto local = socket_.local_endpoint(ec);
  if (!ec) local_ = endpointText(local);
}

sdk::Dispatcher& TcpStream::dispatcher() { return loop_; }

TcpStream::~TcpStream() {
  boost::system::error_code ec;
  socket_.close(ec);
}

void TcpStream::setHandler(sdk::ByteStreamHandler* handler) {
  handler_ = handler;
  if (handler_ && !reading_ && !paused_) readMore();
}

void TcpStream::readMore() {
  if (reading_ || paused_ || closing_ || closed_) return;
  reading_ = true;
  // Wait for readiness, then read on this thread into the thread's buffer. (async_read_some
  // would let the reactor fill the buffer before the handler runs, and with one buffer per
  // thread one connection's bytes would overwrite another's.)
  socket_.async_wait(asio::ip::tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& waitEc) {
    self->reading_ = false;
    if (self->closed_ || self->closing_) return;
    boost::system::error_code ec = waitEc;
    std::size_t n = 0;
    if (!ec) n = self->socket_.read_some(asio::buffer(readBuffer(), kReadBufferSize), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      self->readMore();
      return;
    }
    if (ec) return self->fail(ec == asio::error::eof ? "" : ec.message());
    if (self->tls_) {
      self->onCipher(std::string_view(tReadBuffer.get(), n));
    } else if (self->handler_) {
      tInReadCallback = true;
      self->handler_->onData(std::string_view(tReadBuffer.get(), n));
      tInReadCallback = false;
      flushPending();
    }
    self->readMore();
  });
}

void TcpStream::startTls(std::shared_ptr<const TlsContext> context, const std::string& serverName) {
  tls_ = std::make_unique<TlsSession>(std::move(context), serverName);
  std::string error;
  if (!tls_->start(queued_, &error)) {
    asio::post(socket_.get_executor(), [self = shared_from_this(), error] { self->fail(error); });
    return;
  }
  scheduleFlush();
}

void TcpStream::onCipher(std::string_view cipher) {
  std::string error;
  tInReadCallback = true;
  // Every TLS record goes straight into queued_, in the order OpenSSL produced it, whether it
  // is a handshake reply or what the handler writes while it reads.
  bool ok = tls_->receive(cipher, queued_, &error, [this](std::string_view plain) {
    if (!handler_ || closed_ || closing_) return false;
    handler_->onData(plain);
    return handler_ && !closed_ && !closing_;
  });
  tInReadCallback = false;
  if (!queued_.empty() && !closed_) scheduleFlush();
  flushPending();
  if (!ok && !closed_) fail(error);
}

void TcpStream::scheduleFlush() {
  // Flush at the end of this loop turn: a response head and its body written in one callback
  // leave in one send (and one TCP segment), not two.
  if (writing_.empty() && !flushScheduled_) {
    flushScheduled_ = true;
    if (tInReadCallback) {
      tPendingFlush.push_back(shared_from_this());
    } else {
      asio::post(socket_.get_executor(), [self = shared_from_this()] { self->flushNow(); });
    }
  }
}

bool TcpStream::write(std::string_view bytes) {
  if (closed_ || closing_) return false;
  if (tls_) {
    std::string error;
    if (!tls_->send(bytes, queued_, &error)) {
      asio::post(socket_.get_executor(), [self = shared_from_this(), error] { self->fail(error); });
      return false;
    }
  } else {
    queued_.append(bytes.data(), bytes.size());
  }
  scheduleFlush();
  bool ok = bufferedBytes() < kHighWatermark;
  if (!ok) writeBlocked_ = true;
  return ok;
}

void TcpStream::flushNow() {
  flushScheduled_ = false;
  flush();
}

void TcpStream::flush() {
  if (queued_.empty() || !writing_.empty() || closed_) return;
  writing_.swap(queued_);
  asio::async_write(socket_, asio::buffer(writing_), [self = shared_from_this()](const boost::system::error_code& ec,
                                                                                  std::size_t) {
    self->writing_.clear();
    if (self->closed_) return;
    if (ec) return self->fail(ec.message());
    if (!self->queued_.empty()) {
      self->flush();
    } else if (self->closing_) {
      self->finishClose();
      return;
    }
    if (self->writeBlocked_ && self->bufferedBytes() < kLowWatermark) {
      self->writeBlocked_ = false;
      if (self->handler_) self->handler_->onWritable();
    }
  });
}

void TcpStream::pauseReading(bool paused) {
  paused_ = paused;
  if (!paused_ && handler_) readMore();
}

void TcpStream::close() {
  if (closed_ || closing_) return;
  closing_ = true;
  handler_ = nullptr;
  if (tls_) {
    tls_->shutdown(queued_);  // close_notify: the peer can tell an end from a cut
    flush();
  }
  if (writing_.empty() && queued_.empty()) finishClose();
}

void TcpStream::finishClose() {
  boost::system::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (linger_ && !ec) {
    drainThenClose();
    return;
  }
  hardClose();
}

void TcpStream::drainThenClose() {
  if (!lingerTimer_) {
    lingerTimer_ = std::make_unique<asio::steady_timer>(socket_.get_executor(), std::chrono::seconds(1));
    lingerTimer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->hardClose();
    });
  }
  socket_.async_wait(asio::ip::tcp::socket::wait_read, [self = shared_from_this()](const boost::system::error_code& waitEc) {
    if (self->closed_) return;
    boost::system::error_code ec = waitEc;
    std::size_t n = 0;
    if (!ec) n = self->socket_.read_some(asio::buffer(readBuffer(), kReadBufferSize), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) return self->drainThenClose();
    self->drained_ += n;
    if (ec || self->drained_ > (1u << 20)) return self->hardClose();  // EOF, error, or enough
    self->drainThenClose();
  });
}

void TcpStream::hardClose() {
  if (closed_) return;
  closed_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  boost::system::error_code ec;
  socket_.close(ec);
  notifyClosed();
}

void TcpStream::fail(const std::string& error) {
  auto* h = handler_;
  handler_ = nullptr;
  closed_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  boost::system::error_code ignored;
  socket_.close(ignored);
  if (h) h->onClosed(error);
  notifyClosed();
}

void TcpStream::notifyClosed() {
  if (auto observer = std::move(closeObserver_)) {
    closeObserver_ = nullptr;
    observer();
  }
}

void TcpStream::abort() {
  handler_ = nullptr;
  closed_ = true;
  closing_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  boost::system::error_code ec;
  // A zero linger turns close() into a reset: the peer sees RST, not an orderly end.
  socket_.set_option(asio::socket_base::linger(true, 0), ec);
  socket_.close(ec);
  notifyClosed();
}

}  // namespace ferry::core::net
