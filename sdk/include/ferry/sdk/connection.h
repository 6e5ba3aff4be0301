#pragma once
// ByteStream: a connection owned by the host (plain TCP or TLS, the codec cannot tell), and the
// handler a protocol codec attaches to it.

#include <cstddef>
#include <string>
#include <string_view>

#include "ferry/sdk/dispatcher.h"

namespace ferry::sdk {

/** Receives a byte stream's events. Thread: the stream's worker. */
class ByteStreamHandler {
 public:
  virtual ~ByteStreamHandler() = default;
  /** Bytes arrived. The view is valid only during the call; copy what must be kept. */
  virtual void onData(std::string_view bytes) = 0;
  /** The write buffer drained below its low watermark after write() reported it full. */
  virtual void onWritable() = 0;
  /** The peer closed its side (`error` empty) or the stream failed. No call follows. */
  virtual void onClosed(const std::string& error) = 0;
  /**
   * The host is shutting down (server connections only): finish the exchanges in flight, start
   * no new ones, then close (HTTP/1: close once idle; h2: GOAWAY, close when streams are done).
   * The host cuts what is left at its grace deadline.
   */
  virtual void onShutdown() {}
};

/** A connection. Thread: its worker. Lifetime: until onClosed returned or close() was called. */
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  /** Attaches the handler; the host starts reading after this. */
  virtual void setHandler(ByteStreamHandler* handler) = 0;
  /**
   * Queues bytes. Returns false when the buffer is above its high watermark: the writer should
   * stop producing (stop reading its source) until onWritable().
   */
  virtual bool write(std::string_view bytes) = 0;
  /** Bytes queued and not yet written to the socket. */
  virtual std::size_t bufferedBytes() const = 0;
  /** Stops (true) or resumes (false) reading: back-pressure towards the peer. */
  virtual void pauseReading(bool paused) = 0;
  /** Flushes queued bytes, then closes. No handler call follows. */
  virtual void close() = 0;
  /** Closes at once, dropping queued bytes (a reset). No handler call follows. */
  virtual void abort() = 0;
  /** `ip:port` of the peer and of this side, for Forwarded headers and logs. */
  virtual std::string peerAddress() const = 0;
  virtual std::string localAddress() const = 0;
  /** The worker's dispatcher, for this connection's timers (h2 keep-alive pings, deadlines). */
  virtual Dispatcher& dispatcher() = 0;
};

}  // namespace ferry::sdk
