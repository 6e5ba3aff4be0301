#include "core/config/tls_config.h"

namespace ferry::core::config {
namespace {

std::optional<std::string> optionalString(const NodeView& v, const char* key, std::vector<std::string>& errors) {
  if (!v.has(key)) return std::nullopt;
  auto s = v.string(key, "");
  if (!s) {
    errors.push_back(s.message());
    return std::nullopt;
  }
  return *s;
}

std::vector<std::string> stringList(const NodeView& v, const char* key, std::vector<std::string>& errors) {
  std::vector<std::string> out;
  auto list = v.childView(key);
  if (!list) return out;
  if (list->type() != sdk::ConfigView::Type::Sequence) {
    errors.push_back(list->location() + ": " + key + " must be a list");
    return out;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto s = list->at(i)->asString();
    if (!s) errors.push_back(s.message());
    else out.push_back(*s);
  }
  return out;
}

std::string required(const NodeView& v, const char* key, std::vector<std::string>& errors) {
  auto s = v.requiredString(key);
  if (!s) {
    errors.push_back(s.message());
    return "";
  }
  return *s;
}

}  // namespace

std::optional<net::ServerTlsConfig> parseServerTls(const NodeView& server, std::vector<std::string>& errors) {
  auto tls = server.childView("tls");
  if (!tls) return std::nullopt;
  auto enabled = tls->boolean("enabled", true);
  if (!enabled) errors.push_back(enabled.message());
  if (enabled && !*enabled) {
    tls->raw();  // a disabled block's other keys do not matter
    return std::nullopt;
  }
  net::ServerTlsConfig out;
  out.certPath = required(*tls, "certPath", errors);
  out.intermediateCertsPath = optionalString(*tls, "intermediateCertsPath", errors);
  out.protocols = stringList(*tls, "protocols", errors);
  out.keyPath = required(*tls, "keyPath", errors);
  out.caCertPath = optionalString(*tls, "caCertPath", errors);
  auto auth = tls->boolean("requireClientAuth", false);
  if (!auth) errors.push_back(auth.message());
  else out.requireClientAuth = *auth;
  if (out.requireClientAuth && !out.caCertPath) {
    errors.push_back(tls->location() + ": requireClientAuth needs caCertPath, the CA that signs client certificates");
  }
  auto ciphers = stringList(*tls, "ciphers", errors);
  if (!ciphers.empty()) {
    std::string joined;
    for (const auto& c : ciphers) joined += (joined.empty() ? "" : ":") + c;
    out.ciphers = joined;
  }
  return out;
}

std::optional<net::ClientTlsConfig> parseClientTls(const NodeView& client, std::vector<std::string>& errors) {
  auto tls = client.childView("tls");
  if (!tls) return std::nullopt;
  net::ClientTlsConfig out;
  auto enabled = tls->boolean("enabled", true);
  if (!enabled) errors.push_back(enabled.message());
  if (enabled && !*enabled) {
    tls->raw();
    out.enabled = false;  // plaintext, overriding an earlier prefix's tls
    return out;
  }
  out.protocols = stringList(*tls, "protocols", errors);
  auto disable = tls->boolean("disableValidation", false);
  if (!disable) errors.push_back(disable.message());
  else out.disableValidation = *disable;
  out.commonName = optionalString(*tls, "commonName", errors);
  out.trustCerts = stringList(*tls, "trustCerts", errors);
  if (auto bundle = optionalString(*tls, "trustCertsBundle", errors)) out.trustCerts.push_back(*bundle);
  if (auto auth = tls->childView("clientAuth")) {
    out.clientCertPath = required(*auth, "certPath", errors);
    out.clientKeyPath = required(*auth, "keyPath", errors);
    out.clientIntermediateCertsPath = optionalString(*auth, "intermediateCertsPath", errors);
  }
  if (!out.disableValidation && !out.commonName) {
    errors.push_back(tls->location() + ": client tls needs commonName (the name the server's certificate must "
                                       "carry), or disableValidation: true");
  }
  return out;
}

}  // namespace ferry::core::config
