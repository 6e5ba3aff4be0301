#include "core/router/linkerd_headers.h"

#include <algorithm>

namespace ferry::core::router {

void removeHeader(sdk::HeaderList& headers, std::string_view name) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [&](const auto& h) { return sdk::headerNameEquals(h.first, name); }),
                headers.end());
}

void setEndpointAuthority(sdk::HttpRequestHead& head, const sdk::Address& endpoint) {
  if (endpoint.meta.empty()) return;  // the common case: no lookup at all
  auto authority = endpoint.meta.find("authority");
  if (authority == endpoint.meta.end() || head.host == authority->second) return;
  head.host = authority->second;
  for (auto& [name, value] : head.headers) {
    if (sdk::headerNameEquals(name, "host")) value = authority->second;
  }
}

sdk::Result<naming::Dtab> localDtab(const sdk::HttpRequestHead& head) {
  naming::Dtab out;
  for (const char* name : {"l5d-ctx-dtab", "l5d-dtab"}) {
    for (const auto& [k, v] : head.headers) {
      if (!sdk::headerNameEquals(k, name)) continue;
      auto d = naming::Dtab::parse(v);
      if (!d) return sdk::Result<naming::Dtab>::failure("invalid " + std::string(name) + " header: " + d.message());
      out = out.concat(*d);
    }
  }
  return out;
}

void clearContextHeaders(sdk::HeaderList& headers) {
  headers.erase(std::remove_if(headers.begin(), headers.end(),
                               [](const auto& h) {
                                 return h.first.size() >= 4 && sdk::headerNameEquals(h.first.substr(0, 4), "l5d-");
                               }),
                headers.end());
}

void setDestinationHeaders(sdk::HttpRequestHead& head, const std::string& service, const std::string& client,
                           const sdk::Path& residual, const naming::Dtab& local, std::string requestId) {
  auto& h = head.headers;
  // One pass: drop the incoming values of every header this hop writes.
  h.erase(std::remove_if(h.begin(), h.end(),
                         [](const auto& kv) {
                           const std::string& k = kv.first;
                           if (k.size() < 8 || !sdk::headerNameEquals(std::string_view(k).substr(0, 4), "l5d-")) return false;
                           for (const char* name : {"l5d-dtab", "l5d-ctx-dtab", "l5d-dst-service", "l5d-dst-client",
                                                    "l5d-dst-residual", "l5d-reqid"}) {
                             if (sdk::headerNameEquals(k, name)) return true;
                           }
                           return false;
                         }),
          h.end());
  if (!local.empty()) h.emplace_back("l5d-ctx-dtab", local.show());
  h.emplace_back("l5d-dst-service", service);
  h.emplace_back("l5d-dst-client", client);
  if (!residual.empty()) h.emplace_back("l5d-dst-residual", residual.show());
  h.emplace_back("l5d-reqid", std::move(requestId));
}

}  // namespace ferry::core::router
