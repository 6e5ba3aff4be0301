#pragma once
// The `tls` block of a namer that reaches its control plane over TLS (Linkerd 1.x docs: client
// TLS, as the consul namer takes it), read into the host HTTP client's settings:
//
//   tls:
//     commonName: consul.service.consul   # the name the server's certificate carries (and SNI)
//     trustCerts: [/etc/ferry/ca.pem]     # CA files; none: the system's
//     trustCertsBundle: /etc/ferry/cas.pem
//     disableValidation: false            # true: no check at all (tests only)
//     clientAuth: {certPath: ..., keyPath: ...}

#include <string>

#include "ferry/sdk/config.h"
#include "ferry/sdk/http_client.h"

namespace ferry::plugins::discovery {

/** Reads `block` (the value of a `tls` key); errors are appended to `errors`, one per line. */
inline sdk::HttpClientTls readClientTls(const sdk::ConfigView& block, std::string& errors) {
  auto add = [&](const std::string& e) { errors += (errors.empty() ? "" : "\n") + e; };
  sdk::HttpClientTls tls;
  tls.enabled = true;
  if (block.type() != sdk::ConfigView::Type::Map) {
    add(block.location() + ": tls must be a map (commonName, trustCerts, disableValidation, clientAuth)");
    return tls;
  }
  if (auto v = block.string("commonName", ""); v) tls.commonName = *v; else add(v.message());
  if (auto v = block.boolean("disableValidation", false); v) tls.disableValidation = *v; else add(v.message());
  if (auto list = block.child("trustCerts")) {
    if (list->type() != sdk::ConfigView::Type::Sequence) {
      add(list->location() + ": trustCerts must be a list of files");
    } else {
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (auto v = list->at(i)->asString(); v) tls.trustCerts.push_back(*v); else add(v.message());
      }
    }
  }
  if (auto v = block.child("trustCertsBundle")) {
    if (auto s = v->asString(); s) tls.trustCerts.push_back(*s); else add(s.message());
  }
  if (auto auth = block.child("clientAuth")) {
    auto cert = auth->requiredString("certPath");
    auto key = auth->requiredString("keyPath");
    if (cert) tls.clientCertPath = *cert; else add(cert.message());
    if (key) tls.clientKeyPath = *key; else add(key.message());
  }
  return tls;
}

}  // namespace ferry::plugins::discovery
