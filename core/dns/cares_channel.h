#pragma once
// CaresChannel: one c-ares channel (a set of DNS servers and its queries in flight) driven by
// the main thread's Asio loop. c-ares opens its own UDP and TCP sockets; it tells us which to
// watch (its socket-state callback) and we wait on them and on its next timeout with Asio, so
// no thread is ever blocked on DNS. Why c-ares rather than a resolver of our own: retries across
// servers, TCP on truncated answers, search domains, /etc/hosts and the wire format's
// compression are all subtle, and c-ares (as curl and gRPC use it) has them right.
//
// Thread: main only.

#include <ares.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ferry::core::dns {

class CaresChannel : public std::enable_shared_from_this<CaresChannel> {
 public:
  /** A query's raw result: c-ares's status and, on success, the answer message. */
  using QueryDone = std::function<void(int status, const unsigned char* answer, int length)>;
  /** A host lookup's result: c-ares's status and the addresses (IP literals). */
  using HostDone = std::function<void(int status, std::vector<std::string> addresses)>;

  /** Creates a channel with the system's configuration (/etc/resolv.conf); null and `error` if
   *  c-ares refuses. */
  static std::shared_ptr<CaresChannel> create(boost::asio::io_context& io, std::string& error);
  ~CaresChannel();
  CaresChannel(const CaresChannel&) = delete;
  CaresChannel& operator=(const CaresChannel&) = delete;

  /** Replaces the servers: "ip:port" entries, IPv6 in brackets. False and `error` if refused. */
  bool setServers(const std::vector<std::string>& servers, std::string& error);
  /** The servers in use, for error messages ("127.0.0.2:53, [::1]:53"). */
  std::string serversText() const;

  /** ares_search of `name` (search domains applied as resolv.conf says) for `type` records. */
  void search(const std::string& name, int type, QueryDone done);
  /** Addresses of `host` (IPv4 and IPv6; /etc/hosts first, then DNS). */
  void lookupHost(const std::string& host, HostDone done);

 private:
  struct Socket;

  explicit CaresChannel(boost::asio::io_context& io);
  static void onSocketState(void* self, ares_socket_t fd, int readable, int writable);
  void socketState(ares_socket_t fd, bool readable, bool writable);
  void wait(ares_socket_t fd, uint64_t generation, bool forWrite);
  /** Runs c-ares on a ready socket (or on timeouts, for ARES_SOCKET_BAD), then re-arms the timer. */
  void process(ares_socket_t readFd, ares_socket_t writeFd);
  void armTimer();

  boost::asio::io_context& io_;
  ares_channel channel_ = nullptr;
  std::map<ares_socket_t, std::unique_ptr<Socket>> sockets_;
  uint64_t nextGeneration_ = 1;
  boost::asio::steady_timer timer_;
};

}  // namespace ferry::core::dns
