#pragma once
// HttpClient: the host's asynchronous HTTP/1.1 client for control-plane calls (Consul blocking
// queries, Kubernetes watches). Namers never open sockets of their own.
//
// Responses stream: the body is delivered chunk by chunk as it arrives, so a watch that never
// ends works the same as a short reply.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ferry::sdk {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

/**
 * TLS to the server (Linkerd 1.x docs: client TLS), for control planes reached over TLS: a Consul
 * agent with `tls`, the Kubernetes API server itself. Off unless `enabled`.
 */
struct HttpClientTls {
  bool enabled = false;
  /** The name the server's certificate must carry, also sent as SNI; empty: the request's host. */
  std::string commonName;
  /** CA certificate files (PEM) to trust; empty: the system's. */
  std::vector<std::string> trustCerts;
  /** Accept any certificate (no check at all): for tests only. */
  bool disableValidation = false;
  /** A client certificate and its key (PEM), for servers that ask for one. */
  std::string clientCertPath;
  std::string clientKeyPath;
};

struct HttpClientRequest {
  std::string method = "GET";
  std::string host;  ///< IP literal or DNS name; also sent as the Host header unless one is given.
  uint16_t port = 80;
  std::string target = "/";  ///< origin-form: path and query.
  HeaderList headers;
  std::string body;
  /** Time allowed to connect and receive the response head. */
  std::chrono::milliseconds headTimeout{10'000};
  /** Time allowed between two body chunks (zero: no limit, for endless watches). */
  std::chrono::milliseconds idleTimeout{0};
  HttpClientTls tls;
};

/** Receives one response. Every method runs on the main thread, in this order: onHead, onData
 *  (zero or more), then exactly one of onComplete or onError (onError may also come first). */
class HttpResponseHandler {
 public:
  virtual ~HttpResponseHandler() = default;
  virtual void onHead(int status, const HeaderList& headers) = 0;
  virtual void onData(std::string_view chunk) = 0;
  virtual void onComplete() = 0;
  virtual void onError(const std::string& reason) = 0;
};

/** An in-flight call; destroying it aborts the call, after which no handler method runs. */
class HttpCall {
 public:
  virtual ~HttpCall() = default;
};
using HttpCallPtr = std::unique_ptr<HttpCall>;

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /**
   * Sends `request` on a new connection (control-plane calls are few and long-lived).
   * Thread: main. Ownership: `handler` is shared with the call until its last callback.
   */
  virtual HttpCallPtr send(HttpClientRequest request, std::shared_ptr<HttpResponseHandler> handler) = 0;
};

}  // namespace ferry::sdk
