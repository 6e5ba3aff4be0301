#pragma once
// TLS for server and client connections (Linkerd 1.x docs: TLS), on OpenSSL with memory BIOs: the
// TcpStream keeps doing the socket I/O, buffering and back-pressure, and a TlsSession only turns
// ciphertext into plaintext and back. Codecs never see the difference (sdk/connection.h).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/sdk/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace ferry::core::net {

/** A server's `tls` block. */
struct ServerTlsConfig {
  std::string certPath;  ///< PEM certificate (chain)
  std::optional<std::string> intermediateCertsPath;  ///< more of the chain
  std::string keyPath;   ///< PEM private key
  std::optional<std::string> caCertPath;  ///< CA for client certificates
  bool requireClientAuth = false;
  std::optional<std::string> ciphers;      ///< OpenSSL cipher list (TLS 1.2)
  std::vector<std::string> protocols;      ///< "TLSv1.2", "TLSv1.3"; none: both
};

/** A client's `tls` block. */
struct ClientTlsConfig {
  bool enabled = true;                     ///< false: plaintext (overrides an earlier prefix's tls)
  bool disableValidation = false;
  /** The name the server's certificate must carry (also SNI); may hold `{captures}` of the client prefix. */
  std::optional<std::string> commonName;
  std::vector<std::string> trustCerts;     ///< CA files; none: the system's
  std::optional<std::string> clientCertPath, clientKeyPath, clientIntermediateCertsPath;  ///< `clientAuth`
  std::vector<std::string> protocols;
};

/** An SSL_CTX built from a config. Immutable once built; shared by every worker. */
class TlsContext {
 public:
  /** `alpn`: the protocol id offered and accepted ("h2", "http/1.1"). Errors name the file and reason. */
  static sdk::Result<std::shared_ptr<TlsContext>> server(const ServerTlsConfig& config, std::string alpn);
  static sdk::Result<std::shared_ptr<TlsContext>> client(const ClientTlsConfig& config, std::string alpn);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* raw() const { return ctx_; }
  bool isServer() const { return server_; }
  const std::optional<std::string>& commonName() const { return commonName_; }
  const std::string& alpnWire() const { return alpnWire_; }

 private:
  TlsContext(SSL_CTX* ctx, bool server) : ctx_(ctx), server_(server) {}
  SSL_CTX* ctx_;
  bool server_;
  std::optional<std::string> commonName_;
  std::string alpnWire_;  ///< the id, length-prefixed, as ALPN carries it
};

/** One connection's TLS state. Thread: the connection's worker. */
class TlsSession {
 public:
  /** `serverName` (clients): the name to ask for (SNI) and verify; empty: the context's commonName. */
  TlsSession(std::shared_ptr<const TlsContext> context, const std::string& serverName = "");
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  /** Starts the handshake (a client's ClientHello); ciphertext to send is appended to `out`. */
  bool start(std::string& out, std::string* error);
  /**
   * Feeds ciphertext from the socket. Plaintext is handed to `deliver` as it is decrypted;
   * ciphertext to send (handshake replies) is appended to `out`. False on a TLS error.
   */
  template <typename Deliver>
  bool receive(std::string_view cipher, std::string& out, std::string* error, Deliver&& deliver);
  /** Encrypts `plain`; ciphertext is appended to `out`. Before the handshake ends, it is held. */
  bool send(std::string_view plain, std::string& out, std::string* error);
  /** A close_notify alert to send before closing. */
  void shutdown(std::string& out);
  bool established() const { return established_; }

 private:
  /** Reads decrypted bytes into `buf`: >0 bytes, 0 none for now, -1 an error (set `error`). */
  int readPlain(char* buf, int size, std::string* error);
  bool advanceHandshake(std::string& out, std::string* error);
  bool feedCipher(std::string_view cipher, std::string* error);
  void drainCipher(std::string& out);

  std::shared_ptr<const TlsContext> context_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   ///< ciphertext from the peer
  BIO* out_ = nullptr;  ///< ciphertext for the peer
  bool established_ = false;
  std::string held_;    ///< plaintext written before the handshake ended
};

/** OpenSSL's queued errors as one line. */
std::string tlsErrorText();

template <typename Deliver>
bool TlsSession::receive(std::string_view cipher, std::string& out, std::string* error, Deliver&& deliver) {
  if (!feedCipher(cipher, error)) return false;
  if (!established_ && !advanceHandshake(out, error)) return false;
  if (!established_) return true;
  char buf[16384];
  for (;;) {
    int n = readPlain(buf, sizeof buf, error);
    if (n < 0) return false;
    if (n == 0) break;
    if (!deliver(std::string_view(buf, static_cast<std::size_t>(n)))) return true;  // the stream went away
  }
  drainCipher(out);
  return true;
}

}  // namespace ferry::core::net
