// Listener against real sockets: a precise error for a taken port, accepts spread over worker
// loops on their own threads, stop() refusing later connections, and accept under descriptor
// exhaustion backing off and recovering instead of spinning.

#include "core/net/listener.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>
#include <thread>

#include "core/net/tcp_stream.h"
#include "tests/unit/core/loop_testing.h"

namespace ferry::core::net {
namespace {

namespace asio = boost::asio;
using core::testing::waitUntil;

asio::ip::tcp::endpoint loopback(uint16_t port) { return {asio::ip::make_address("127.0.0.1"), port}; }

TEST(Listener, PortZeroTakesAPortAndSaysWhich) {
  asio::io_context main;
  Listener listener("127.0.0.1", 0);
  ASSERT_TRUE(listener.bind(main).isOk());
  EXPECT_NE(listener.port(), 0);
  EXPECT_EQ(listener.address(), "127.0.0.1:" + std::to_string(listener.port()));
}

TEST(Listener, ATakenPortFailsWithTheAddressAndTheReason) {
  asio::io_context main;
  Listener first("127.0.0.1", 0);
  ASSERT_TRUE(first.bind(main).isOk());
  Listener second("127.0.0.1", first.port());
  auto status = second.bind(main);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.message(), "cannot listen on 127.0.0.1:" + std::to_string(first.port()) + ": Address already in use");
}

TEST(Listener, AnInvalidAddressIsNamed) {
  asio::io_context main;
  Listener listener("127.0.0.300", 0);
  auto status = listener.bind(main);
  ASSERT_FALSE(status.isOk());
  EXPECT_EQ(status.message(), "invalid listen address '127.0.0.300'");
}

/** Worker loops on their own threads, as in Ferry; joined on destruction. */
struct Workers {
  explicit Workers(std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) loops.push_back(std::make_unique<events::EventLoop>(true));
    for (auto& l : loops) threads.emplace_back([&l] { l->run(); });
  }
  ~Workers() {
    for (auto& l : loops) l->stop();
    for (auto& t : threads) t.join();
  }
  std::vector<events::EventLoop*> pointers() {
    std::vector<events::EventLoop*> out;
    for (auto& l : loops) out.push_back(l.get());
    return out;
  }
  std::vector<std::unique_ptr<events::EventLoop>> loops;
  std::vector<std::thread> threads;
};

/** What the workers accepted; the streams are kept (and dropped) on their own workers. */
struct Accepted {
  std::mutex mutex;
  std::vector<std::size_t> workers;
  std::vector<std::shared_ptr<TcpStream>> streams;
  std::atomic<std::size_t> count{0};
  Listener::OnAccept callback() {
    return [this](std::size_t worker, std::shared_ptr<TcpStream> stream) {
      std::lock_guard<std::mutex> lock(mutex);
      workers.push_back(worker);
      EXPECT_TRUE(stream->dispatcher().isCurrentThread());  // handed over on the accepting worker
      streams.push_back(std::move(stream));
      ++count;
    };
  }
};

/** A listener bound on 127.0.0.1 and accepting on `n` worker threads; stopped and emptied at the end. */
struct Running {
  explicit Running(std::size_t n) : workers(n) {
    bound = listener.bind(main).isOk();
    if (bound) listener.start(workers.pointers(), accepted.callback());
  }
  ~Running() {
    listener.stop();
    // Streams belong to their workers: each drops its own before the loops stop.
    for (auto& l : workers.loops) {
      std::atomic<bool> done{false};
      l->post([&] {
        std::lock_guard<std::mutex> lock(accepted.mutex);
        for (auto& s : accepted.streams) {
          if (s && s->dispatcher().isCurrentThread()) s.reset();
        }
        done = true;
      });
      waitUntil([&] { return done.load(); });
    }
  }
  asio::io_context main;
  Workers workers;  // before the listener: its worker acceptors live in these loops
  Listener listener{"127.0.0.1", 0};
  bool bound = false;
  Accepted accepted;
};

TEST(Listener, AcceptsOnEveryWorkerAndStopRefusesLaterConnections) {
  Running running(2);
  ASSERT_TRUE(running.bound);
  asio::io_context client;
  std::vector<asio::ip::tcp::socket> sockets;
  for (int i = 0; i < 8; ++i) {
    sockets.emplace_back(client);
    sockets.back().connect(loopback(running.listener.port()));
  }
  ASSERT_TRUE(waitUntil([&] { return running.accepted.count == 8; }));
  for (std::size_t w : running.accepted.workers) EXPECT_LT(w, 2u);

  running.listener.stop();
  asio::ip::tcp::socket late(client);
  boost::system::error_code ec;
  // stop() closes the worker acceptors on their loops; once the last is closed, the kernel refuses.
  ASSERT_TRUE(waitUntil([&] {
    late.close(ec);
    late.connect(loopback(running.listener.port()), ec);
    return ec == asio::error::connection_refused;
  }));
  EXPECT_EQ(running.accepted.count, 8u);
}

/** Sends this process's stderr to a temporary file while it lives; read with pread (no new descriptor). */
class CapturedStderr {
 public:
  CapturedStderr() {
    char name[] = "/tmp/ferry-listener-test-XXXXXX";
    fd_ = mkstemp(name);
    unlink(name);
    std::fflush(stderr);
    saved_ = dup(2);
    dup2(fd_, 2);
  }
  ~CapturedStderr() {
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    close(fd_);
  }
  std::string text() const {
    std::fflush(stderr);
    std::string out(1 << 16, '\0');
    ssize_t n = pread(fd_, out.data(), out.size(), 0);
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return out;
  }

 private:
  int fd_ = -1, saved_ = -1;
};

TEST(Listener, AcceptUnderDescriptorExhaustionBacksOffAndRecovers) {
  Running running(1);
  ASSERT_TRUE(running.bound);
  auto& accepted = running.accepted;
  auto& listener = running.listener;
  asio::io_context client;
  asio::ip::tcp::socket first(client);
  first.connect(loopback(listener.port()));
  ASSERT_TRUE(waitUntil([&] { return accepted.count == 1; }));

  // Everything that needs a descriptor is opened first: the log capture, the client socket,
  // and the worker's first timer (the back-off's): UBSan's type check of the timer service on
  // its first use probes memory through a pipe, and without a descriptor for it leaks a name.
  for (auto& loop : running.workers.loops) {
    std::atomic<bool> ran{false};
    std::atomic<bool> dropped{false};
    ferry::sdk::TimerPtr timer;  // made, fired and dropped on the loop's own thread
    loop->post([&] { timer = loop->schedule(std::chrono::milliseconds(0), [&] { ran = true; }); });
    ASSERT_TRUE(waitUntil([&] { return ran.load(); }));
    loop->post([&] {
      timer.reset();
      dropped = true;
    });
    ASSERT_TRUE(waitUntil([&] { return dropped.load(); }));
  }
  CapturedStderr log;
  asio::ip::tcp::socket second(client);
  second.open(asio::ip::tcp::v4());
  int base = ::open("/dev/null", O_RDONLY);  // what the filler duplicates (stdin may be closed)
  ASSERT_GE(base, 0);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit lowered = saved;
  lowered.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  std::vector<int> filler;
  for (int fd; (fd = ::dup(base)) >= 0;) filler.push_back(fd);
  int exhausted = errno;

  second.connect(loopback(listener.port()));  // completes in the kernel's backlog
  // The worker's accept fails and it backs off, saying so once; the connection waits.
  bool warned = waitUntil([&] { return log.text().find("accept failed: Too many open files; backing off") != std::string::npos; });
  std::size_t acceptedWhileExhausted = accepted.count;
  for (int fd : filler) ::close(fd);
  ::close(base);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  ASSERT_EQ(exhausted, EMFILE);
  ASSERT_TRUE(warned) << log.text();
  EXPECT_EQ(acceptedWhileExhausted, 1u);

  // Descriptors are free again: the back-off timer's next try accepts the waiting connection.
  ASSERT_TRUE(waitUntil([&] { return accepted.count == 2; }));
  ASSERT_TRUE(waitUntil([&] { return log.text().find("accepting again after") != std::string::npos; }));
  EXPECT_EQ(log.text().find("accept failed", log.text().find("accept failed") + 1), std::string::npos)
      << "one warning per episode, not one per try:\n" << log.text();
}

}  // namespace
}  // namespace ferry::core::net
