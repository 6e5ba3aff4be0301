#pragma once
// How a k8s namer or transformer reaches the API. Linkerd's way is plain HTTP to a `kubectl
// proxy` beside it (`host`, `port`). Ferry also reaches the API server directly, with these
// keys of its own:
//
//   inCluster: true        # the in-cluster defaults: the API server from KUBERNETES_SERVICE_HOST
//                          # and KUBERNETES_SERVICE_PORT, over TLS checked against the service
//                          # account's ca.crt (name kubernetes.default.svc), with its token
//   serviceAccountDir: /var/run/secrets/kubernetes.io/serviceaccount
//   tls: {commonName, trustCerts, ...}     # client TLS (client_tls.h)
//   authTokenFile: /path/to/token          # sent as Authorization: Bearer, re-read per call

#include <cstdlib>
#include <string>

#include "ferry/sdk/config.h"
#include "plugins/common/discovery/client_tls.h"
#include "plugins/common/k8s/list_watch.h"

namespace ferry::plugins::kube {

/** The standard mount of a pod's service account. */
inline constexpr const char* kServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * Reads the access keys into `api` (whose host and port the caller read already, with
 * `hostKey`/`portKey` the names it read them under). With inCluster and no host given, the host
 * and port come from the environment at creation (`resolveInCluster`). Errors are appended.
 */
inline void readApiAccess(const sdk::ConfigView& config, ApiEndpoint& api, bool* inCluster, std::string* dir,
                          std::string& errors) {
  auto add = [&](const std::string& e) { errors += (errors.empty() ? "" : "\n") + e; };
  if (auto v = config.boolean("inCluster", false); v) *inCluster = *v; else add(v.message());
  if (auto v = config.string("serviceAccountDir", kServiceAccountDir); v) *dir = *v; else add(v.message());
  if (*inCluster) {
    api.tls.enabled = true;
    api.tls.commonName = "kubernetes.default.svc";
    api.tls.trustCerts = {*dir + "/ca.crt"};
    api.tokenFile = *dir + "/token";
  }
  if (auto tls = config.child("tls")) api.tls = discovery::readClientTls(*tls, errors);
  if (auto v = config.child("authTokenFile")) {
    if (auto s = v->asString(); s) api.tokenFile = *s; else add(s.message());
  }
}

/**
 * With inCluster and no host in the config: the API server from KUBERNETES_SERVICE_HOST and
 * KUBERNETES_SERVICE_PORT, or an error naming them.
 */
inline sdk::Status resolveInCluster(const sdk::ConfigView& config, const char* hostKey, ApiEndpoint& api) {
  if (config.has(hostKey)) return sdk::Status::ok();
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (!host || !*host || !port || !*port) {
    return sdk::Status::error(config.location() + ": inCluster needs KUBERNETES_SERVICE_HOST and " +
                              "KUBERNETES_SERVICE_PORT (set in every pod), or give the API's address");
  }
  int p = std::atoi(port);
  if (p < 1 || p > 65535) {
    return sdk::Status::error(config.location() + ": KUBERNETES_SERVICE_PORT is not a port: '" + port + "'");
  }
  api.host = host;
  api.port = static_cast<uint16_t>(p);
  return sdk::Status::ok();
}

}  // namespace ferry::plugins::kube
