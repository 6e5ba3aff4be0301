#pragma once
// A protocol for pool and relay tests: connections whose codec the test steers (busy, reusable,
// multiplexed) over real sockets, so what is tested is the core's pooling and relaying, not a
// protocol plugin. Requests it starts are recorded and answered by the test.

#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/address.h"
#include "ferry/sdk/connection.h"
#include "ferry/sdk/load_balancer.h"
#include "ferry/sdk/protocol.h"

namespace ferry::core::testing {

/** 127.0.0.1:`port` as an endpoint address. */
inline sdk::Address loopbackAddress(uint16_t port) {
  sdk::Address a;
  a.host = "127.0.0.1";
  a.port = port;
  return a;
}

class SteeredExchange;

/** A client codec: writes each request's path and a newline; the test answers through it. */
class SteeredCodec final : public sdk::ClientConnection, public sdk::ByteStreamHandler {
 public:
  SteeredCodec(sdk::ByteStream& stream, bool multiplexed, std::shared_ptr<std::size_t> destroyed)
      : stream(stream), multiplexed(multiplexed), destroyed_(std::move(destroyed)) {
    stream.setHandler(this);
  }
  ~SteeredCodec() override { ++*destroyed_; }

  // sdk::ClientConnection
  bool canStartRequest() const override { return multiplexed ? active < streamLimit : active == 0; }
  sdk::ClientExchange* startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                    sdk::ResponseHandler& handler) override;
  bool reusable() const override { return reuse; }

  // sdk::ByteStreamHandler
  void onData(std::string_view bytes) override { received.append(bytes); }
  void onWritable() override {}
  void onClosed(const std::string& error) override {
    closed = true;
    closeError = error;
  }

  sdk::ByteStream& stream;
  bool multiplexed;
  std::size_t streamLimit = 100;
  std::size_t active = 0;
  bool reuse = true;
  bool closed = false;
  std::string closeError;
  std::string received;
  std::vector<std::unique_ptr<SteeredExchange>> exchanges;

 private:
  std::shared_ptr<std::size_t> destroyed_;  ///< shared: a pool may free a codec after its protocol
};

/** One request on a SteeredCodec; the test calls respond()/reset() to answer it. */
class SteeredExchange final : public sdk::ClientExchange {
 public:
  SteeredExchange(SteeredCodec& codec, sdk::ResponseHandler& handler, bool ended)
      : codec(codec), handler(&handler), requestEnded(ended) {}
  bool sendRequestBody(std::string_view chunk) override {
    body.append(chunk);
    return true;
  }
  void endRequest(const sdk::HeaderList& trailers) override {
    requestEnded = true;
    requestTrailers = trailers;
  }
  void pauseResponseBody(bool paused) override { responsePaused = paused; }
  void reset(const sdk::StreamReset& r) override {
    resetByCaller = true;
    resetCode = r.code;
    finish();
  }

  /** Answers with `status` and `body` (if any), ending the response. */
  void respond(int status, const std::string& responseBody = "", sdk::HeaderList headers = {}) {
    sdk::HttpResponseHead head;
    head.status = status;
    head.headers = std::move(headers);
    auto* h = handler;
    if (responseBody.empty()) {
      finish();
      h->onResponseHead(head, true);
      return;
    }
    h->onResponseHead(head, false);
    h->onBody(responseBody);
    finish();
    h->onEnd({});
  }
  /** The upstream resets the stream (or, for HTTP/1, the connection broke). */
  void resetFromUpstream(sdk::ResetCode code, const std::string& message) {
    auto* h = handler;
    finish();
    h->onReset(sdk::StreamReset{code, message});
  }

  SteeredCodec& codec;
  sdk::ResponseHandler* handler;
  bool requestEnded;
  sdk::HeaderList requestTrailers;
  std::string body;
  bool responsePaused = false;
  bool resetByCaller = false;
  sdk::ResetCode resetCode{};
  bool done = false;

 private:
  void finish() {
    if (done) return;
    done = true;
    --codec.active;
  }
};

inline sdk::ClientExchange* SteeredCodec::startRequest(const sdk::HttpRequestHead& head, bool endOfMessage,
                                                      sdk::ResponseHandler& handler) {
  ++active;
  stream.write(head.target + "\n");
  exchanges.push_back(std::make_unique<SteeredExchange>(*this, handler, endOfMessage));
  return exchanges.back().get();
}

/** The protocol: hands out SteeredCodecs and keeps a pointer to each for the test. */
class SteeredProtocol final : public sdk::Protocol {
 public:
  explicit SteeredProtocol(bool multiplexed = false) : multiplexed_(multiplexed) {}
  bool multiplexed() const override { return multiplexed_; }
  bool resetsUnidentified() const override { return multiplexed_; }
  std::unique_ptr<sdk::ByteStreamHandler> newServerConnection(sdk::ByteStream&, sdk::RequestRouter&,
                                                              std::size_t) override {
    return nullptr;  // client side only
  }
  std::unique_ptr<sdk::ClientConnection> newClientConnection(sdk::ByteStream& stream) override {
    auto codec = std::make_unique<SteeredCodec>(stream, multiplexed_, destroyed_);
    codecs.push_back(codec.get());
    return codec;
  }
  /** Every codec made, in order (owned by the pool; a discarded one dangles: check `closed` first). */
  std::vector<SteeredCodec*> codecs;
  /** Codecs freed so far (the pool discarded their connections). */
  std::size_t destroyed() const { return *destroyed_; }

 private:
  bool multiplexed_;
  std::shared_ptr<std::size_t> destroyed_ = std::make_shared<std::size_t>(0);
};

/**
 * A balancer for tests, so a test knows which endpoint a request goes to: the endpoint on port
 * `prefer` if it is in the set and available, else the first available in the core's order.
 * Records the size of each endpoint set it was handed.
 */
class FirstAvailable final : public sdk::LoadBalancer {
 public:
  sdk::WorkerLoadBalancerPtr forWorker(const std::vector<sdk::Endpoint*>& endpoints, uint64_t) const override {
    sets.push_back(endpoints.size());
    struct Picker final : sdk::WorkerLoadBalancer {
      std::vector<sdk::Endpoint*> endpoints;
      const uint16_t* prefer;
      sdk::Endpoint* pick() override {
        for (auto* e : endpoints) {
          if (e->available() && e->address().port == *prefer) return e;
        }
        for (auto* e : endpoints) {
          if (e->available()) return e;
        }
        return nullptr;
      }
    };
    auto picker = std::make_unique<Picker>();
    picker->endpoints = endpoints;
    picker->prefer = &prefer;
    return picker;
  }
  uint16_t prefer = 0;
  mutable std::vector<std::size_t> sets;
};

}  // namespace ferry::core::testing
