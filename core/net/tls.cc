#include "core/net/tls.h"

#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <openssl/pem.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace ferry::core::net {
namespace {

bool readable(const std::string& path) { return std::ifstream(path).good(); }

sdk::Status fileError(const std::string& what, const std::string& path) {
  return sdk::Status::error(what + " '" + path + "': " + (readable(path) ? tlsErrorText() : "cannot read the file"));
}

/** ALPN server side: pick our protocol if the client offers it; otherwise go on without ALPN. */
int selectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen,
               void* arg) {
  const auto* ours = static_cast<const std::string*>(arg);
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, reinterpret_cast<const unsigned char*>(ours->data()),
                            static_cast<unsigned int>(ours->size()), in, inlen) == OPENSSL_NPN_NEGOTIATED) {
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
  }
  return SSL_TLSEXT_ERR_NOACK;
}

std::string wire(const std::string& alpn) { return std::string(1, static_cast<char>(alpn.size())) + alpn; }

/** Adds every certificate of a PEM file to the chain sent with ours. */
sdk::Status addChain(SSL_CTX* ctx, const std::string& what, const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return fileError(what, path);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    SSL_CTX_add0_chain_cert(ctx, cert);  // the context owns it now
    ++added;
  }
  BIO_free(bio);
  ERR_clear_error();  // the read that ended the loop
  if (added == 0) return sdk::Status::error(what + " '" + path + "': no PEM certificate in the file");
  return sdk::Status::ok();
}

/** Asked for a pass phrase: remembers that the key is encrypted and gives none (instead of
 *  OpenSSL's default of prompting on the terminal, which would stall a starting proxy). */
int refusePassphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

/** Loads the private key in `path` (unencrypted PEM, as Linkerd reads it). */
sdk::Status usePrivateKey(SSL_CTX* ctx, const std::string& what, const std::string& path) {
  bool askedForPassphrase = false;
  SSL_CTX_set_default_passwd_cb(ctx, &refusePassphrase);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, &askedForPassphrase);
  int rc = SSL_CTX_use_PrivateKey_file(ctx, path.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);
  if (rc == 1) return sdk::Status::ok();
  if (askedForPassphrase) {
    ERR_clear_error();
    return sdk::Status::error(what + " '" + path + "': the key is encrypted; give an unencrypted PEM key");
  }
  return fileError(what, path);
}

/** `protocols: [TLSv1.2, TLSv1.3]`: the lowest and highest listed versions. */
sdk::Status setProtocols(SSL_CTX* ctx, const std::vector<std::string>& protocols) {
  if (protocols.empty()) return sdk::Status::ok();
  int low = 0, high = 0;
  for (const auto& p : protocols) {
    int v = p == "TLSv1.2" ? TLS1_2_VERSION : p == "TLSv1.3" ? TLS1_3_VERSION : 0;
    if (v == 0) return sdk::Status::error("tls protocols: '" + p + "' is not supported; use TLSv1.2 or TLSv1.3");
    low = low == 0 ? v : std::min(low, v);
    high = std::max(high, v);
  }
  SSL_CTX_set_min_proto_version(ctx, low);
  SSL_CTX_set_max_proto_version(ctx, high);
  return sdk::Status::ok();
}

/** The library an OpenSSL error comes from, in words. */
std::string libraryName(unsigned long e) {
  if (const char* name = ERR_lib_error_string(e)) return name;
  switch (ERR_GET_LIB(e)) {  // libcrypto's own strings are not loaded (core/main/openssl_early_init.cc)
    case ERR_LIB_SSL: return "SSL routines";
    case ERR_LIB_PEM: return "PEM routines";
    case ERR_LIB_X509: return "X509 routines";
    case ERR_LIB_X509V3: return "X509 V3 routines";
    case ERR_LIB_ASN1: return "ASN.1 encoding routines";
    case ERR_LIB_EVP: return "digital envelope routines";
    case ERR_LIB_OSSL_DECODER: return "decoder routines";
    case ERR_LIB_BIO: return "BIO routines";
    default: return "OpenSSL library " + std::to_string(ERR_GET_LIB(e));
  }
}

/** Why an OpenSSL call failed, in words, for the reasons a configuration can cause. */
std::string reasonText(unsigned long e) {
  if (ERR_SYSTEM_ERROR(e)) return std::strerror(static_cast<int>(ERR_GET_REASON(e)));
  if (const char* reason = ERR_reason_error_string(e)) return reason;
  int lib = ERR_GET_LIB(e), reason = ERR_GET_REASON(e);
  if (lib == ERR_LIB_PEM && reason == PEM_R_NO_START_LINE) return "no PEM data in the file";
  if (lib == ERR_LIB_PEM) return "malformed PEM data";
  if (lib == ERR_LIB_X509 && reason == X509_R_KEY_VALUES_MISMATCH) return "the key does not match the certificate";
  if (lib == ERR_LIB_EVP && reason == EVP_R_BAD_DECRYPT) return "the key is encrypted or corrupt";
  if (lib == ERR_LIB_ASN1 || lib == ERR_LIB_OSSL_DECODER) return "malformed or unsupported certificate or key encoding";
  return "reason " + std::to_string(reason);
}

}  // namespace

std::string tlsErrorText() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char code[32];
    std::snprintf(code, sizeof code, "%08lX", e);
    out += (out.empty() ? "" : "; ") + libraryName(e) + ": " + reasonText(e) + " (OpenSSL error " + code + ")";
  }
  return out.empty() ? "unknown TLS error" : out;
}

namespace {

/** The system's openssl.cnf, read once before the first TLS context (see openssl_early_init.cc). */
void loadSystemOpenSslConfig() {
  static const bool loaded = [] {
    CONF_modules_load_file(nullptr, nullptr,
                           CONF_MFLAGS_DEFAULT_SECTION | CONF_MFLAGS_IGNORE_MISSING_FILE | CONF_MFLAGS_IGNORE_RETURN_CODES);
    ERR_clear_error();
    return true;
  }();
  (void)loaded;
}

}  // namespace

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

sdk::Result<std::shared_ptr<TlsContext>> TlsContext::server(const ServerTlsConfig& config, std::string alpn) {
  loadSystemOpenSslConfig();
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return sdk::Status::error("TLS: " + tlsErrorText());
  std::shared_ptr<TlsContext> out(new TlsContext(ctx, true));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(ctx, config.certPath.c_str()) != 1) return fileError("tls certPath", config.certPath);
  if (config.intermediateCertsPath) {
    if (auto s = addChain(ctx, "tls intermediateCertsPath", *config.intermediateCertsPath); !s) return s;
  }
  if (auto s = setProtocols(ctx, config.protocols); !s) return s;
  if (auto s = usePrivateKey(ctx, "tls keyPath", config.keyPath); !s) return s;
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return sdk::Status::error("tls keyPath '" + config.keyPath + "' does not match certPath '" + config.certPath + "'");
  }
  if (config.ciphers && SSL_CTX_set_cipher_list(ctx, config.ciphers->c_str()) != 1) {
    return sdk::Status::error("tls ciphers '" + *config.ciphers + "': " + tlsErrorText());
  }
  if (config.caCertPath) {
    if (SSL_CTX_load_verify_locations(ctx, config.caCertPath->c_str(), nullptr) != 1) return fileError("tls caCertPath", *config.caCertPath);
  }
  if (config.requireClientAuth) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  out->alpnWire_ = wire(alpn);
  SSL_CTX_set_alpn_select_cb(ctx, &selectAlpn, &out->alpnWire_);
  return out;
}

sdk::Result<std::shared_ptr<TlsContext>> TlsContext::client(const ClientTlsConfig& config, std::string alpn) {
  loadSystemOpenSslConfig();
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return sdk::Status::error("TLS: " + tlsErrorText());
  std::shared_ptr<TlsContext> out(new TlsContext(ctx, false));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  if (config.disableValidation) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (config.trustCerts.empty()) {
      SSL_CTX_set_default_verify_paths(ctx);
    }
    for (const auto& ca : config.trustCerts) {
      if (SSL_CTX_load_verify_locations(ctx, ca.c_str(), nullptr) != 1) return fileError("tls trustCerts", ca);
    }
  }
  if (config.clientCertPath) {
    if (SSL_CTX_use_certificate_chain_file(ctx, config.clientCertPath->c_str()) != 1) {
      return fileError("tls clientAuth certPath", *config.clientCertPath);
    }
    if (!config.clientKeyPath) return sdk::Status::error("tls clientAuth needs keyPath");
    if (auto s = usePrivateKey(ctx, "tls clientAuth keyPath", *config.clientKeyPath); !s) return s;
    if (config.clientIntermediateCertsPath) {
      if (auto s = addChain(ctx, "tls clientAuth intermediateCertsPath", *config.clientIntermediateCertsPath); !s) return s;
    }
  }
  if (auto s = setProtocols(ctx, config.protocols); !s) return s;
  out->commonName_ = config.commonName;
  out->alpnWire_ = wire(alpn);
  SSL_CTX_set_alpn_protos(ctx, reinterpret_cast<const unsigned char*>(out->alpnWire_.data()),
                          static_cast<unsigned int>(out->alpnWire_.size()));
  return out;
}

TlsSession::TlsSession(std::shared_ptr<const TlsContext> context, const std::string& serverName)
    : context_(std::move(context)) {
  ssl_ = SSL_new(context_->raw());
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  BIO_set_mem_eof_return(in_, -1);  // an empty input BIO means "more to come", not EOF
  SSL_set_bio(ssl_, in_, out_);      // the SSL owns both BIOs now
  if (context_->isServer()) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
    std::string name = !serverName.empty() ? serverName : context_->commonName().value_or("");
    if (!name.empty()) {
      SSL_set_tlsext_host_name(ssl_, name.c_str());
      SSL_set1_host(ssl_, name.c_str());
    }
  }
}

TlsSession::~TlsSession() { SSL_free(ssl_); }

void TlsSession::drainCipher(std::string& out) {
  char buf[16384];
  int n;
  while ((n = BIO_read(out_, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
}

bool TlsSession::start(std::string& out, std::string* error) { return advanceHandshake(out, error); }

bool TlsSession::feedCipher(std::string_view cipher, std::string* error) {
  while (!cipher.empty()) {
    int n = BIO_write(in_, cipher.data(), static_cast<int>(cipher.size()));
    if (n <= 0) {
      *error = "TLS: cannot buffer input";
      return false;
    }
    cipher.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TlsSession::advanceHandshake(std::string& out, std::string* error) {
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_);
  drainCipher(out);
  if (rc == 1) {
    established_ = true;
    if (!held_.empty()) {
      std::string held = std::move(held_);
      held_.clear();
      return send(held, out, error);
    }
    return true;
  }
  int err = SSL_get_error(ssl_, rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return true;
  std::string why = tlsErrorText();
  long verify = SSL_get_verify_result(ssl_);
  if (verify != X509_V_OK) why += " (certificate: " + std::string(X509_verify_cert_error_string(verify)) + ")";
  *error = "TLS handshake failed: " + why;
  return false;
}

int TlsSession::readPlain(char* buf, int size, std::string* error) {
  ERR_clear_error();
  int n = SSL_read(ssl_, buf, size);
  if (n > 0) return n;
  int err = SSL_get_error(ssl_, n);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return 0;
  if (err == SSL_ERROR_ZERO_RETURN) {
    *error = "";  // close_notify: an orderly end
    return -1;
  }
  *error = "TLS: " + tlsErrorText();
  return -1;
}

bool TlsSession::send(std::string_view plain, std::string& out, std::string* error) {
  if (!established_) {
    held_.append(plain);
    return true;
  }
  while (!plain.empty()) {
    ERR_clear_error();
    int n = SSL_write(ssl_, plain.data(), static_cast<int>(std::min<std::size_t>(plain.size(), 1 << 30)));
    if (n <= 0) {
      *error = "TLS: " + tlsErrorText();
      return false;
    }
    plain.remove_prefix(static_cast<std::size_t>(n));
    drainCipher(out);
  }
  return true;
}

void TlsSession::shutdown(std::string& out) {
  if (!established_) return;
  SSL_shutdown(ssl_);
  drainCipher(out);
}

}  // namespace ferry::core::net
