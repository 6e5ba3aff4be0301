#pragma once
// The l5d-* headers the core reads and writes (Linkerd 1.x docs: HTTP headers): per-request dtabs, the
// destination headers, clearContext, and the error responses with l5d-err.

#include <string>

#include "core/naming/dtab.h"
#include "ferry/sdk/address.h"
#include "ferry/sdk/http.h"

namespace ferry::core::router {

/**
 * The request-local dtab: `l5d-ctx-dtab` entries, then `l5d-dtab` entries (user entries win).
 * Every occurrence of each header counts, in order. A malformed value is an error naming it.
 */
sdk::Result<naming::Dtab> localDtab(const sdk::HttpRequestHead& head);

/** Removes every `l5d-*` header (clearContext on an edge server). */
void clearContextHeaders(sdk::HeaderList& headers);

/**
 * Rewrites a request for the chosen destination: drops `l5d-dtab` and the incoming
 * `l5d-ctx-dtab`, writes the whole local dtab as `l5d-ctx-dtab` (so overrides follow the call
 * graph), and sets `l5d-dst-service`, `l5d-dst-client`, `l5d-dst-residual` (when not empty)
 * and `l5d-reqid`.
 */
void setDestinationHeaders(sdk::HttpRequestHead& head, const std::string& service, const std::string& client,
                           const sdk::Path& residual, const naming::Dtab& local, std::string requestId);

/**
 * Points the request at the endpoint's `authority` metadata when it has one (the consul namer's
 * setHost: Consul's DNS name for the service), as Linkerd's RewriteHostHeader does: the Host
 * header on HTTP/1.1, `:authority` on h2 (both read `head.host`).
 */
void setEndpointAuthority(sdk::HttpRequestHead& head, const sdk::Address& endpoint);

/** Removes every header named `name` (case-insensitive). */
void removeHeader(sdk::HeaderList& headers, std::string_view name);

}  // namespace ferry::core::router
