#include "core/net/tcp_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>

#include "core/events/write_batch.h"

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

}  // namespace

std::string endpointText(const asio::ip::tcp::endpoint& e) {
  auto addr = e.address();
  std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(e.port());
}

TcpStream::TcpStream(asio::ip::tcp::socket socket, events::EventLoop& loop) : loop_(loop) {
  boost::system::error_code ec;
  socket.set_option(asio::ip::tcp::no_delay(true), ec);
  socket.non_blocking(true, ec);
  auto peer = socket.remote_endpoint(ec);
  if (!ec) peer_ = endpointText(peer);
  auto local = socket.local_endpoint(ec);
  if (!ec) local_ = endpointText(local);
  // From here on the socket is this stream's file descriptor, watched by the worker's poller
  // (core/events/readiness_poller.h says why not by Asio).
  fd_ = socket.release(ec);
  if (ec) {
    fd_ = -1;
    registrationError_ = ec.message();
  } else if (!loop_.poller().add(fd_, this, &registration_)) {
    registrationError_ = std::string("cannot watch the socket: ") + std::strerror(errno);
  }
}

sdk::Dispatcher& TcpStream::dispatcher() { return loop_; }

TcpStream::~TcpStream() { closeSocket(); }

void TcpStream::closeSocket() {
  if (fd_ < 0) return;
  if (registrationError_.empty()) loop_.poller().remove(fd_, registration_);
  ::close(fd_);
  fd_ = -1;
}

void TcpStream::setHandler(sdk::ByteStreamHandler* handler) {
  handler_ = handler;
  if (!handler_) return;
  if (!registrationError_.empty()) {
    failSoon(registrationError_);
    return;
  }
  readSoon();
}

void TcpStream::readSoon() {
  // Bytes that arrived while nobody read them: read them on the next turn, not inside the
  // caller (typically another stream's callback).
  if (!readable_ || readPosted_ || paused_ || closing_ || closed_) return;
  readPosted_ = true;
  asio::post(loop_.io(), [self = shared_from_this()] {
    self->readPosted_ = false;
    self->readAvailable();
  });
}

void TcpStream::onReady(bool readable, bool writable, bool hangup) {
  auto self = shared_from_this();  // a handler may drop the stream's last other owner
  if (hangup) peerHungUp_ = true;
  if (writable && waitingForOutput_ && !closed_) flush();
  if (!readable || closed_) return;
  readable_ = true;
  if (draining_) {
    drainThenClose();
  } else {
    readAvailable();
  }
}

void TcpStream::readAvailable() {
  while (readable_ && !paused_ && !closing_ && !closed_ && handler_) {
    ssize_t n = ::recv(fd_, readBuffer(), kReadBufferSize, 0);
    if (n > 0) {
      // Edge-triggered: fewer bytes than asked means the socket is empty now, and new bytes will
      // bring a new edge. A hang-up is only an edge once, so after one, read on to the end.
      if (static_cast<std::size_t>(n) < kReadBufferSize && !peerHungUp_) readable_ = false;
      if (!deliver(tReadBuffer.get(), static_cast<std::size_t>(n))) return;
      continue;
    }
    if (n == 0) return fail("");
    if (errno == EINTR) continue;
    readable_ = false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    return fail(std::strerror(errno));
  }
}

bool TcpStream::deliver(const char* data, std::size_t n) {
  if (tls_) {
    onCipher(std::string_view(data, n));
  } else if (handler_) {
    events::WriteBatch batch;  // what the handler writes, to any stream, leaves when it returns
    handler_->onData(std::string_view(data, n));
  }
  return !closed_;
}

void TcpStream::startTls(std::shared_ptr<const TlsContext> context, const std::string& serverName) {
  tls_ = std::make_unique<TlsSession>(std::move(context), serverName);
  std::string error;
  if (!tls_->start(queued_, &error)) return failSoon(error);
  scheduleFlush();
}

void TcpStream::onCipher(std::string_view cipher) {
  std::string error;
  bool ok;
  {
    events::WriteBatch batch;  // this stream and those the handler writes to send when it closes
    // Every TLS record goes straight into queued_, in the order OpenSSL produced it, whether it
    // is a handshake reply or what the handler writes while it reads.
    ok = tls_->receive(cipher, queued_, &error, [this](std::string_view plain) {
      if (!handler_ || closed_ || closing_) return false;
      handler_->onData(plain);
      return handler_ && !closed_ && !closing_;
    });
    if (bufferedBytes() > 0 && !closed_) scheduleFlush();
  }
  if (!ok && !closed_) fail(error);
}

void TcpStream::scheduleFlush() {
  // Flush at the end of this loop turn: a response head and its body written in one callback
  // leave in one send (and one TCP segment), not two.
  if (!waitingForOutput_ && !flushScheduled_) {
    flushScheduled_ = true;
    if (events::WriteBatch::open()) {
      events::WriteBatch::add(shared_from_this());
    } else {
      asio::post(loop_.io(), [self = shared_from_this()] { self->flushNow(); });
    }
  }
}

bool TcpStream::write(std::string_view bytes) {
  if (closed_ || closing_) return false;
  if (tls_) {
    std::string error;
    if (!tls_->send(bytes, queued_, &error)) {
      failSoon(error);
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
  if (closed_ || fd_ < 0) return;
  waitingForOutput_ = false;
  while (sent_ < queued_.size()) {
    ssize_t n = ::send(fd_, queued_.data() + sent_, queued_.size() - sent_, MSG_NOSIGNAL);
    if (n > 0) {
      sent_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      waitingForOutput_ = true;  // the poller's next output edge calls flush() again
      break;
    }
    return failSoon(std::strerror(errno));
  }
  if (sent_ == queued_.size()) {
    queued_.clear();
    sent_ = 0;
    if (closing_) return finishClose();
  } else if (sent_ >= kCompactAfter) {
    queued_.erase(0, sent_);
    sent_ = 0;
  }
  if (writeBlocked_ && bufferedBytes() < kLowWatermark) {
    writeBlocked_ = false;
    if (handler_) handler_->onWritable();
  }
}

void TcpStream::pauseReading(bool paused) {
  paused_ = paused;
  if (!paused_ && handler_) readSoon();
}

void TcpStream::close() {
  if (closed_ || closing_) return;
  closing_ = true;
  handler_ = nullptr;
  if (tls_) tls_->shutdown(queued_);  // close_notify: the peer can tell an end from a cut
  if (bufferedBytes() == 0) return finishClose();
  if (!waitingForOutput_) flush();
}

void TcpStream::finishClose() {
  if (closed_ || draining_) return;
  if (linger_ && ::shutdown(fd_, SHUT_WR) == 0) {
    draining_ = true;
    lingerTimer_ = std::make_unique<asio::steady_timer>(loop_.io(), std::chrono::seconds(1));
    lingerTimer_->async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->hardClose();
    });
    readable_ = true;  // whatever is there already
    drainThenClose();
    return;
  }
  hardClose();
}

void TcpStream::drainThenClose() {
  while (readable_ && !closed_) {
    ssize_t n = ::recv(fd_, readBuffer(), kReadBufferSize, 0);
    if (n > 0) {
      drained_ += static_cast<std::size_t>(n);
      if (drained_ > (1u << 20)) return hardClose();  // enough
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      readable_ = false;  // the next edge, or the timer
      return;
    }
    return hardClose();  // EOF or error
  }
}

void TcpStream::hardClose() {
  if (closed_) return;
  closed_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  closeSocket();
  notifyClosed();
}

void TcpStream::failSoon(std::string error) {
  // On the next turn: the callers run inside handlers (their own or other streams'), which a
  // synchronous onClosed would pull the stream from under.
  asio::post(loop_.io(), [self = shared_from_this(), error = std::move(error)] { self->fail(error); });
}

void TcpStream::fail(const std::string& error) {
  if (closed_) return;
  auto* h = handler_;
  handler_ = nullptr;
  closed_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  closeSocket();
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
  if (closed_) return;
  handler_ = nullptr;
  closed_ = true;
  closing_ = true;
  if (lingerTimer_) lingerTimer_->cancel();
  if (fd_ >= 0) {
    // A zero linger turns close() into a reset: the peer sees RST, not an orderly end.
    struct linger reset {1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  }
  closeSocket();
  notifyClosed();
}

}  // namespace ferry::core::net
