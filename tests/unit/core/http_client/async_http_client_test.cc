// The control-plane HTTP client against a real server (cpp-httplib on 127.0.0.1): lengths,
// streamed chunked bodies, timeouts, refused connections and cancellation.

#include "core/http_client/async_http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "core/events/event_loop.h"

namespace ferry::core::http_client {
namespace {

struct Recorder : sdk::HttpResponseHandler {
  int status = 0;
  std::vector<std::string> chunks;
  bool complete = false;
  std::string error;
  std::function<void()> onDone;
  void onHead(int s, const sdk::HeaderList&) override { status = s; }
  void onData(std::string_view c) override { chunks.emplace_back(c); }
  void onComplete() override {
    complete = true;
    onDone();
  }
  void onError(const std::string& e) override {
    error = e;
    onDone();
  }
  std::string body() const {
    std::string b;
    for (const auto& c : chunks) b += c;
    return b;
  }
};

class AsyncHttpClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server.Get("/hello", [](const httplib::Request&, httplib::Response& res) { res.set_content("hi there", "text/plain"); });
    server.Get("/stream", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](size_t offset, httplib::DataSink& sink) {
        if (offset >= 3 * 5) {
          sink.done();
          return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        sink.write("part-", 5);
        return true;
      });
    });
    server.Get("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      res.set_content("late", "text/plain");
    });
    server.Post("/echo", [](const httplib::Request& req, httplib::Response& res) { res.set_content(req.body, "text/plain"); });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    // stop() before the listen loop started would be lost (and join() would hang).
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server.stop();
    thread.join();
  }

  std::shared_ptr<Recorder> call(sdk::HttpClientRequest req) {
    auto rec = std::make_shared<Recorder>();
    rec->onDone = [this] { loop.stop(); };
    req.host = "127.0.0.1";
    if (req.port == 80) req.port = static_cast<uint16_t>(port);
    AsyncHttpClient client(loop.io());
    auto handle = client.send(req, rec);
    auto guard = loop.schedule(std::chrono::seconds(5), [this] { loop.stop(); });
    loop.run();
    loop.io().restart();
    return rec;
  }

  httplib::Server server;
  int port = 0;
  std::thread thread;
  events::EventLoop loop;
};

TEST_F(AsyncHttpClientTest, ContentLength) {
  sdk::HttpClientRequest req;
  req.target = "/hello";
  auto r = call(req);
  EXPECT_TRUE(r->complete) << r->error;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body(), "hi there");
}

TEST_F(AsyncHttpClientTest, ChunkedBodyStreamsInPieces) {
  sdk::HttpClientRequest req;
  req.target = "/stream";
  auto r = call(req);
  EXPECT_TRUE(r->complete) << r->error;
  EXPECT_EQ(r->body(), "part-part-part-");
  EXPECT_GE(r->chunks.size(), 2u) << "chunks should arrive as they are sent, not all at the end";
}

TEST_F(AsyncHttpClientTest, PostsABody) {
  sdk::HttpClientRequest req;
  req.method = "POST";
  req.target = "/echo";
  req.body = "ping";
  auto r = call(req);
  EXPECT_EQ(r->body(), "ping");
}

TEST_F(AsyncHttpClientTest, HeadTimeout) {
  sdk::HttpClientRequest req;
  req.target = "/slow";
  req.headTimeout = std::chrono::milliseconds(100);
  auto r = call(req);
  EXPECT_FALSE(r->complete);
  EXPECT_EQ(r->error, "timed out waiting for the response head");
}

TEST_F(AsyncHttpClientTest, ConnectionRefused) {
  sdk::HttpClientRequest req;
  req.port = 1;  // nothing listens on 127.0.0.1:1
  req.target = "/";
  auto r = call(req);
  EXPECT_NE(r->error.find("cannot connect to 127.0.0.1:1"), std::string::npos) << r->error;
}

TEST_F(AsyncHttpClientTest, DestroyingTheCallSilencesIt) {
  auto rec = std::make_shared<Recorder>();
  rec->onDone = [] {};
  AsyncHttpClient client(loop.io());
  sdk::HttpClientRequest req;
  req.host = "127.0.0.1";
  req.port = static_cast<uint16_t>(port);
  req.target = "/slow";
  auto handle = client.send(req, rec);
  handle.reset();
  auto stop = loop.schedule(std::chrono::milliseconds(700), [this] { loop.stop(); });
  loop.run();
  EXPECT_EQ(rec->status, 0);
  EXPECT_FALSE(rec->complete);
  EXPECT_TRUE(rec->error.empty());
}

}  // namespace
}  // namespace ferry::core::http_client
