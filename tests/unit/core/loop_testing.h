#pragma once
// Helpers for unit tests that drive a real EventLoop on the test's thread: run it until a
// condition holds (never for a fixed time), and a loopback TCP server on the same loop that
// accepts, records what it reads and closes on request. Addresses are 127.0.0.1 only.

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "core/events/event_loop.h"

namespace ferry::core::testing {

/**
 * Runs `loop` on this thread until `done()` holds; false when `deadline` passed first. The
 * deadline only bounds a broken test: passing tests return as soon as the condition holds.
 */
inline bool runUntil(events::EventLoop& loop, const std::function<bool()>& done,
                     std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    loop.io().restart();
    loop.io().run_one_for(std::chrono::milliseconds(50));
  }
  return true;
}

/**
 * Waits until `done()` holds, for conditions other threads make true (a worker loop on its own
 * thread); checks every millisecond. False when `deadline` passed first.
 */
inline bool waitUntil(const std::function<bool()>& done, std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

/** Runs the handlers that are ready now (posted work, hand-offs "on the next turn"). */
inline void runReady(events::EventLoop& loop) {
  loop.io().restart();
  loop.io().poll();
}

/** A TCP server on 127.0.0.1 (a port the kernel picks), served by `loop`. */
class LoopbackServer {
 public:
  struct Peer {
    boost::asio::ip::tcp::socket socket;
    std::string received;
    bool eof = false;  ///< the other side closed, in order or not
    boost::system::error_code error;  ///< how: asio::error::eof for an orderly close
    explicit Peer(boost::asio::ip::tcp::socket s) : socket(std::move(s)) {}
  };

  explicit LoopbackServer(events::EventLoop& loop)
      : acceptor_(loop.io(), boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    accept();
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  /** Connections accepted so far, in order. */
  const std::vector<std::shared_ptr<Peer>>& peers() const { return peers_; }
  /** Writes `bytes` to accepted connection `i`. */
  void send(std::size_t i, const std::string& bytes) { boost::asio::write(peers_.at(i)->socket, boost::asio::buffer(bytes)); }
  /** Closes accepted connection `i` (the client sees the peer close). */
  void close(std::size_t i) {
    boost::system::error_code ec;
    peers_.at(i)->socket.close(ec);
  }
  /** Stops accepting and closes the listening socket: later connects are refused. */
  void stopListening() {
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

 private:
  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, boost::asio::ip::tcp::socket s) {
      if (ec) return;
      auto peer = std::make_shared<Peer>(std::move(s));
      peers_.push_back(peer);
      read(peer);
      accept();
    });
  }
  static void read(const std::shared_ptr<Peer>& peer) {
    auto buffer = std::make_shared<std::array<char, 4096>>();
    peer->socket.async_read_some(boost::asio::buffer(*buffer),
                                 [peer, buffer](const boost::system::error_code& ec, std::size_t n) {
                                   if (ec) {
                                     peer->eof = true;
                                     peer->error = ec;
                                     return;
                                   }
                                   peer->received.append(buffer->data(), n);
                                   read(peer);
                                 });
  }

  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::shared_ptr<Peer>> peers_;
};

/**
 * A port on 127.0.0.1 that refuses connections: bound but not listening, so the kernel answers
 * a connect with a reset and no other process can take the port while the test runs.
 */
class RefusingPort {
 public:
  RefusingPort() : socket_(io_) {
    socket_.open(boost::asio::ip::tcp::v4());
    socket_.bind(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  }
  uint16_t port() const { return socket_.local_endpoint().port(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

}  // namespace ferry::core::testing
