#pragma once
// Listener: one server socket, bound on the main thread (so a taken port fails startup with a
// precise error), accepted on every worker: each worker's acceptor waits on a duplicate of the
// same descriptor and the kernel hands each connection to one of them.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "core/events/event_loop.h"
#include "ferry/sdk/status.h"

namespace ferry::core::net {

class TcpStream;

class Listener {
 public:
  using OnAccept = std::function<void(std::size_t worker, std::shared_ptr<TcpStream>)>;
  Listener(std::string ip, uint16_t port) : ip_(std::move(ip)), port_(port) {}
  ~Listener();

  /** Binds and listens. Thread: main. */
  sdk::Status bind(boost::asio::io_context& main);
  /** Starts accepting on every worker; `onAccept` runs on the accepting worker. */
  void start(const std::vector<events::EventLoop*>& workers, OnAccept onAccept);
  /** Stops accepting; open connections are not touched. Thread: main. */
  void stop();
  /** The bound address, with the real port when 0 was asked. */
  std::string address() const;
  uint16_t port() const { return boundPort_; }

 private:
  struct WorkerAcceptor;
  std::string ip_;
  uint16_t port_;
  uint16_t boundPort_ = 0;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::vector<std::shared_ptr<WorkerAcceptor>> workers_;
};

}  // namespace ferry::core::net
