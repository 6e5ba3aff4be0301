#pragma once
// TcpStream: sdk::ByteStream over a connected TCP socket, with a write queue and watermarks.
//
// The socket comes from Asio (accept, connect) and is then watched by the worker's
// ReadinessPoller: reads go straight to the handler from the thread's buffer, writes are queued
// during a loop turn and sent at its end. write() reports false above the high watermark and
// onWritable() fires once the queue falls below the low one, so a relay can propagate
// back-pressure. Reads stop while paused. All on the owning worker's thread.

#include <array>
#include <functional>
#include <vector>
#include <memory>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/net/tls.h"
#include "core/events/event_loop.h"
#include "core/events/write_batch.h"
#include "ferry/sdk/connection.h"

namespace ferry::core::net {

class TcpStream final : public sdk::ByteStream,
                        public events::ReadinessPoller::Watcher,
                        public events::BatchedWriter,
                        public std::enable_shared_from_this<TcpStream> {
 public:
  static constexpr std::size_t kHighWatermark = 1024 * 1024;
  static constexpr std::size_t kLowWatermark = 256 * 1024;

  /** `loop` is the worker that owns the socket; it outlives the stream. */
  TcpStream(boost::asio::ip::tcp::socket socket, events::EventLoop& loop);
  ~TcpStream() override;

  // sdk::ByteStream
  void setHandler(sdk::ByteStreamHandler* handler) override;
  bool write(std::string_view bytes) override;
  std::size_t bufferedBytes() const override { return queued_.size() - sent_; }
  void pauseReading(bool paused) override;
  void close() override;
  void abort() override;
  std::string peerAddress() const override { return peer_; }
  std::string localAddress() const override { return local_; }
  sdk::Dispatcher& dispatcher() override;

  bool isOpen() const { return fd_ >= 0 && !closing_ && !closed_; }
  /** Sends what write() queued (called at the end of the loop turn that queued it). */
  void flushNow();
  void flushBatched() override { flushNow(); }
  /**
   * Core-only, for accepted connections: close() half-closes after the last byte is sent, then
   * reads and discards what the peer still sends (at most 1 s and 1 MiB) before closing. A
   * client still uploading when it is answered early (413, 400) then reads the answer instead
   * of a reset.
   */
  void setLingerOnClose(bool linger) { linger_ = linger; }
  /**
   * Core-only: called once when the stream is finished for any reason (peer closed, error,
   * close(), abort()), after the handler's onClosed if any. Owners free their state here.
   */
  void setCloseObserver(std::function<void()> observer) { closeObserver_ = std::move(observer); }
  /**
   * Core-only, before setHandler: speaks TLS on this connection (server or client per the
   * context). The handler then sees plaintext only; writes before the handshake ends are held.
   */
  void startTls(std::shared_ptr<const TlsContext> context, const std::string& serverName = "");

 private:
  // ReadinessPoller::Watcher
  void onReady(bool readable, bool writable, bool hangup) override;
  /** Reads and delivers until the socket is empty, the stream pauses or it closes. */
  void readAvailable();
  /** Posts readAvailable() if bytes wait unread (after resume, or a new handler). */
  void readSoon();
  /** Hands read bytes to TLS or the handler; false if the stream closed meanwhile. */
  bool deliver(const char* data, std::size_t n);
  /** Ciphertext arrived: handshake, then plaintext to the handler. */
  void onCipher(std::string_view cipher);
  void scheduleFlush();
  /** Sends what is queued, up to a short send (then waits for the output edge). */
  void flush();
  void finishClose();
  void drainThenClose();
  void hardClose();
  void closeSocket();
  void notifyClosed();
  /** The connection failed or the peer closed (`error` empty): tell the handler, then the owner. */
  void fail(const std::string& error);
  /** fail() on the next loop turn. */
  void failSoon(std::string error);

  /** Sent bytes are dropped from the queue's front once this many have accumulated. */
  static constexpr std::size_t kCompactAfter = 64 * 1024;

  events::EventLoop& loop_;
  int fd_ = -1;
  events::ReadinessPoller::Registration registration_ = 0;
  std::string registrationError_;  ///< set if the socket could not be watched
  sdk::ByteStreamHandler* handler_ = nullptr;
  std::function<void()> closeObserver_;
  std::string peer_, local_;
  std::string queued_;    ///< bytes to send; the first sent_ of them are sent
  std::size_t sent_ = 0;
  bool readable_ = false;          ///< an input edge came and the socket was not read empty since
  bool peerHungUp_ = false;        ///< the peer closed or reset: read to the end
  bool readPosted_ = false;
  bool waitingForOutput_ = false;  ///< a send was short: the next output edge resumes
  bool flushScheduled_ = false;
  bool paused_ = false;
  bool writeBlocked_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool linger_ = false;
  bool draining_ = false;          ///< closing with linger: reading and discarding
  std::size_t drained_ = 0;
  std::unique_ptr<boost::asio::steady_timer> lingerTimer_;
  std::unique_ptr<TlsSession> tls_;  ///< null: plaintext
};

/** "ip:port" of an endpoint (IPv6 in brackets). */
std::string endpointText(const boost::asio::ip::tcp::endpoint& e);

}  // namespace ferry::core::net
