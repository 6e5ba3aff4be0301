#pragma once
// `tls` blocks of servers and clients (Linkerd 1.x docs: TLS), read into the net layer's configs.
//
//   servers:
//   - port: 4143
//     tls: {certPath: cert.pem, keyPath: key.pem, intermediateCertsPath: chain.pem,
//           caCertPath: ca.pem, requireClientAuth: false, protocols: [TLSv1.2, TLSv1.3],
//           ciphers: [ECDHE-RSA-AES128-GCM-SHA256], enabled: true}
//   client:
//     kind: io.l5d.static
//     configs:
//     - prefix: /#/io.l5d.fs/{service}
//       tls: {commonName: "{service}.example.com", trustCertsBundle: ca.pem,
//             clientAuth: {certPath: c.pem, keyPath: k.pem, intermediateCertsPath: chain.pem}}
//     - prefix: /#/io.l5d.fs/legacy
//       tls: {enabled: false}

#include <optional>
#include <string>
#include <vector>

#include "core/config/node_view.h"
#include "core/net/tls.h"

namespace ferry::core::config {

/** A server's `tls` block, if any. Problems are appended to `errors`. */
std::optional<net::ServerTlsConfig> parseServerTls(const NodeView& server, std::vector<std::string>& errors);
/** A client's `tls` block, if any. Problems are appended to `errors`. */
std::optional<net::ClientTlsConfig> parseClientTls(const NodeView& client, std::vector<std::string>& errors);

}  // namespace ferry::core::config
