#include "core/dns/cares_channel.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>

namespace ferry::core::dns {

namespace asio = boost::asio;

/** A socket c-ares asked us to watch. The descriptor is c-ares's: released, never closed, here. */
struct CaresChannel::Socket {
  Socket(asio::io_context& io, ares_socket_t fd, uint64_t generation) : stream(io, fd), generation(generation) {}
  ~Socket() { stream.release(); }  // cancels our waits; c-ares closes the descriptor itself
  asio::posix::stream_descriptor stream;
  uint64_t generation;  ///< tells a wait on this socket from one on an earlier socket with the same fd
  bool wantRead = false;
  bool wantWrite = false;
  bool readWaiting = false;
  bool writeWaiting = false;
};

namespace {

// Per try, per server; a lookup's own deadline (SrvLookup::timeout) bounds the whole.
constexpr int kTryTimeoutMs = 1000;
constexpr int kTries = 2;

struct QueryArg {
  CaresChannel::QueryDone done;
};
struct HostArg {
  CaresChannel::HostDone done;
};

}  // namespace

CaresChannel::CaresChannel(asio::io_context& io) : io_(io), timer_(io) {}

std::shared_ptr<CaresChannel> CaresChannel::create(asio::io_context& io, std::string& error) {
  static const int libraryStatus = ares_library_init(ARES_LIB_INIT_ALL);
  if (libraryStatus != ARES_SUCCESS) {
    error = std::string("c-ares: ") + ares_strerror(libraryStatus);
    return nullptr;
  }
  std::shared_ptr<CaresChannel> self(new CaresChannel(io));
  ares_options options{};
  options.sock_state_cb = &CaresChannel::onSocketState;
  options.sock_state_cb_data = self.get();
  options.timeout = kTryTimeoutMs;
  options.tries = kTries;
  // EDNS: answers up to 1232 bytes over UDP before c-ares falls back to TCP (many SRV records).
  options.flags = ARES_FLAG_EDNS;
  options.ednspsz = 1232;
  int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_FLAGS | ARES_OPT_EDNSPSZ;
  int status = ares_init_options(&self->channel_, &options, mask);
  if (status != ARES_SUCCESS) {
    error = std::string("c-ares: ") + ares_strerror(status);
    self->channel_ = nullptr;
    return nullptr;
  }
  return self;
}

CaresChannel::~CaresChannel() {
  if (!channel_) return;
  // Every query still in flight gets ARES_EDESTRUCTION (its callback frees its argument), and
  // each socket is reported closed before c-ares closes it.
  ares_destroy(channel_);
  sockets_.clear();
}

bool CaresChannel::setServers(const std::vector<std::string>& servers, std::string& error) {
  std::string csv;
  for (const auto& s : servers) csv += (csv.empty() ? "" : ",") + s;
  int status = ares_set_servers_ports_csv(channel_, csv.c_str());
  if (status != ARES_SUCCESS) {
    error = "DNS servers '" + csv + "': " + ares_strerror(status);
    return false;
  }
  return true;
}

std::string CaresChannel::serversText() const {
  ares_addr_port_node* servers = nullptr;
  if (ares_get_servers_ports(channel_, &servers) != ARES_SUCCESS) return "";
  std::string text;
  for (auto* s = servers; s; s = s->next) {
    char ip[INET6_ADDRSTRLEN] = "";
    inet_ntop(s->family, &s->addr, ip, sizeof ip);
    int port = s->udp_port ? s->udp_port : 53;
    std::string one = s->family == AF_INET6 ? "[" + std::string(ip) + "]" : std::string(ip);
    text += (text.empty() ? "" : ", ") + one + ":" + std::to_string(port);
  }
  ares_free_data(servers);
  return text;
}

void CaresChannel::search(const std::string& name, int type, QueryDone done) {
  auto* arg = new QueryArg{std::move(done)};
  ares_search(
      channel_, name.c_str(), 1 /* class IN */, type,
      [](void* a, int status, int /*timeouts*/, unsigned char* answer, int length) {
        std::unique_ptr<QueryArg> arg(static_cast<QueryArg*>(a));
        arg->done(status, answer, length);
      },
      arg);
  armTimer();
}

void CaresChannel::lookupHost(const std::string& host, HostDone done) {
  auto* arg = new HostArg{std::move(done)};
  ares_addrinfo_hints hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = ARES_AI_NOSORT;  // the order does not matter to a load balancer; skip connect() probes
  ares_getaddrinfo(
      channel_, host.c_str(), nullptr, &hints,
      [](void* a, int status, int /*timeouts*/, ares_addrinfo* result) {
        std::unique_ptr<HostArg> arg(static_cast<HostArg*>(a));
        std::vector<std::string> addresses;
        if (status == ARES_SUCCESS && result) {
          for (auto* node = result->nodes; node; node = node->ai_next) {
            char ip[INET6_ADDRSTRLEN] = "";
            const void* raw = node->ai_family == AF_INET6
                                  ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(node->ai_addr)->sin6_addr)
                                  : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(node->ai_addr)->sin_addr);
            if (!inet_ntop(node->ai_family, raw, ip, sizeof ip)) continue;
            if (std::find(addresses.begin(), addresses.end(), ip) == addresses.end()) addresses.emplace_back(ip);
          }
        }
        if (result) ares_freeaddrinfo(result);
        arg->done(status, std::move(addresses));
      },
      arg);
  armTimer();
}

void CaresChannel::onSocketState(void* self, ares_socket_t fd, int readable, int writable) {
  static_cast<CaresChannel*>(self)->socketState(fd, readable != 0, writable != 0);
}

void CaresChannel::socketState(ares_socket_t fd, bool readable, bool writable) {
  auto it = sockets_.find(fd);
  if (!readable && !writable) {
    if (it != sockets_.end()) sockets_.erase(it);  // about to be closed by c-ares
    return;
  }
  if (it == sockets_.end()) {
    it = sockets_.emplace(fd, std::make_unique<Socket>(io_, fd, nextGeneration_++)).first;
  }
  Socket& s = *it->second;
  s.wantRead = readable;
  s.wantWrite = writable;
  if (s.wantRead && !s.readWaiting) wait(fd, s.generation, false);
  if (s.wantWrite && !s.writeWaiting) wait(fd, s.generation, true);
}

void CaresChannel::wait(ares_socket_t fd, uint64_t generation, bool forWrite) {
  Socket& s = *sockets_.at(fd);
  (forWrite ? s.writeWaiting : s.readWaiting) = true;
  std::weak_ptr<CaresChannel> weak = weak_from_this();
  s.stream.async_wait(forWrite ? asio::posix::descriptor_base::wait_write : asio::posix::descriptor_base::wait_read,
                      [weak, fd, generation, forWrite](const boost::system::error_code& ec) {
                        auto self = weak.lock();
                        if (!self) return;
                        auto it = self->sockets_.find(fd);
                        if (it == self->sockets_.end() || it->second->generation != generation) return;
                        Socket& s = *it->second;
                        (forWrite ? s.writeWaiting : s.readWaiting) = false;
                        if (ec) return;
                        self->process(forWrite ? ARES_SOCKET_BAD : fd, forWrite ? fd : ARES_SOCKET_BAD);
                        // c-ares may have closed the socket, or a new one may have its number.
                        it = self->sockets_.find(fd);
                        if (it == self->sockets_.end() || it->second->generation != generation) return;
                        bool want = forWrite ? it->second->wantWrite : it->second->wantRead;
                        bool waiting = forWrite ? it->second->writeWaiting : it->second->readWaiting;
                        if (want && !waiting) self->wait(fd, generation, forWrite);
                      });
}

void CaresChannel::process(ares_socket_t readFd, ares_socket_t writeFd) {
  ares_process_fd(channel_, readFd, writeFd);
  armTimer();
}

void CaresChannel::armTimer() {
  timeval tv{};
  if (!ares_timeout(channel_, nullptr, &tv)) {
    timer_.cancel();  // nothing in flight
    return;
  }
  auto delay = std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
  timer_.expires_after(delay);
  std::weak_ptr<CaresChannel> weak = weak_from_this();
  timer_.async_wait([weak](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!self || ec) return;
    self->process(ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // expires what has timed out, retries the next server
  });
}

}  // namespace ferry::core::dns
