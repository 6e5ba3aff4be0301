// TcpStream against a real loopback peer: bytes both ways, back-pressure by watermarks, reads
// paused and resumed, the peer closing, and how the stream ends a connection (flushed close,
// linger after an early answer, abort as a reset).

#include "core/net/tcp_stream.h"

#include <gtest/gtest.h>

#include "tests/unit/core/loop_testing.h"

namespace ferry::core::net {
namespace {

using core::testing::LoopbackServer;
using core::testing::runUntil;
namespace asio = boost::asio;

struct Recorder : sdk::ByteStreamHandler {
  std::string data;
  int writable = 0;
  int closed = 0;
  std::string closeError;
  void onData(std::string_view bytes) override { data.append(bytes); }
  void onWritable() override { ++writable; }
  void onClosed(const std::string& error) override {
    ++closed;
    closeError = error;
  }
};

class TcpStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    asio::ip::tcp::socket socket(loop.io());
    socket.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.port()));
    stream = std::make_shared<TcpStream>(std::move(socket), loop);
    stream->setCloseObserver([this] { ++observed; });
    stream->setHandler(&handler);
    ASSERT_TRUE(runUntil(loop, [&] { return server.peers().size() == 1; }));
  }
  LoopbackServer::Peer& peer() { return *server.peers()[0]; }

  events::EventLoop loop;
  LoopbackServer server{loop};
  Recorder handler;
  std::shared_ptr<TcpStream> stream;
  int observed = 0;
};

TEST_F(TcpStreamTest, CarriesBytesBothWaysAndNamesBothEnds) {
  EXPECT_EQ(stream->peerAddress(), "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(stream->localAddress().rfind("127.0.0.1:", 0), 0u);
  EXPECT_TRUE(stream->write("ping "));
  EXPECT_TRUE(stream->write("pong"));
  server.send(0, "hello");
  ASSERT_TRUE(runUntil(loop, [&] { return peer().received == "ping pong" && handler.data == "hello"; }));
  EXPECT_EQ(stream->bufferedBytes(), 0u);
  EXPECT_TRUE(stream->isOpen());
}

TEST_F(TcpStreamTest, WriteReportsFullAboveTheHighWatermarkAndOnWritableFollowsTheDrain) {
  std::string big(TcpStream::kHighWatermark + 1, 'x');
  EXPECT_FALSE(stream->write(big));  // queued in this turn: nothing sent yet
  EXPECT_GT(stream->bufferedBytes(), TcpStream::kHighWatermark);
  ASSERT_TRUE(runUntil(loop, [&] { return handler.writable == 1 && peer().received.size() == big.size(); }));
  EXPECT_EQ(stream->bufferedBytes(), 0u);
  EXPECT_EQ(handler.writable, 1);  // once per crossing, not once per send
}

TEST_F(TcpStreamTest, PausedReadingHoldsBytesUntilResumed) {
  stream->pauseReading(true);
  server.send(0, "held");
  // Give the poller every chance to deliver: run the loop until it has nothing left to do now.
  for (int i = 0; i < 20; ++i) core::testing::runReady(loop);
  EXPECT_EQ(handler.data, "");
  stream->pauseReading(false);
  ASSERT_TRUE(runUntil(loop, [&] { return handler.data == "held"; }));
}

TEST_F(TcpStreamTest, PeerCloseTellsTheHandlerThenTheOwnerOnce) {
  server.send(0, "last words");
  server.close(0);
  ASSERT_TRUE(runUntil(loop, [&] { return observed == 1; }));
  EXPECT_EQ(handler.data, "last words");  // read to the end before the close is reported
  EXPECT_EQ(handler.closed, 1);
  EXPECT_EQ(handler.closeError, "");  // an orderly end, not an error
  EXPECT_FALSE(stream->isOpen());
  EXPECT_FALSE(stream->write("too late"));
  stream->close();  // closing a closed stream is harmless and reports nothing again
  core::testing::runReady(loop);
  EXPECT_EQ(observed, 1);
}

TEST_F(TcpStreamTest, CloseSendsEverythingQueuedThenEndsInOrder) {
  std::string body(3 * TcpStream::kHighWatermark, 'b');
  stream->write(body);
  stream->close();
  EXPECT_FALSE(stream->isOpen());  // closing: no more writes
  ASSERT_TRUE(runUntil(loop, [&] { return peer().eof; }));
  EXPECT_EQ(peer().received.size(), body.size());
  EXPECT_EQ(peer().error, asio::error::eof);
  EXPECT_EQ(observed, 1);
  EXPECT_EQ(handler.closed, 0);  // the handler asked for the close: it is not told again
}

TEST_F(TcpStreamTest, LingerLetsAnUploadingPeerReadAnEarlyAnswer) {
  // The peer is still sending when the stream answers and closes (a 413 to an upload): bytes the
  // stream never read would turn a plain close into a reset that can destroy the answer.
  stream->setLingerOnClose(true);
  stream->pauseReading(true);
  server.send(0, std::string(32 * 1024, 'u'));  // fits the socket buffers: send() here must not block
  stream->write("HTTP/1.1 413 Payload Too Large\r\n\r\n");
  stream->close();
  ASSERT_TRUE(runUntil(loop, [&] { return peer().received.size() > 0; }));
  server.close(0);  // the peer stops uploading and goes away: the drain ends at its EOF
  ASSERT_TRUE(runUntil(loop, [&] { return observed == 1; }));
  EXPECT_EQ(peer().received, "HTTP/1.1 413 Payload Too Large\r\n\r\n");
}

TEST_F(TcpStreamTest, AbortResetsTheConnection) {
  stream->write("never sent");
  stream->abort();
  EXPECT_EQ(observed, 1);
  EXPECT_FALSE(stream->isOpen());
  ASSERT_TRUE(runUntil(loop, [&] { return peer().eof; }));
  EXPECT_EQ(peer().error, asio::error::connection_reset);
  EXPECT_EQ(peer().received, "");
}

TEST(EndpointText, BracketsIpv6) {
  EXPECT_EQ(endpointText(asio::ip::tcp::endpoint(asio::ip::make_address("::1"), 4140)), "[::1]:4140");
  EXPECT_EQ(endpointText(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.2"), 80)), "127.0.0.2:80");
}

}  // namespace
}  // namespace ferry::core::net
