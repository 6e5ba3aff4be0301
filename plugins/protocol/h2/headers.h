#pragma once
// HTTP/2 header blocks from the SDK's heads, and back (RFC 9113 §8.2-8.3): names lower-cased,
// connection-specific fields dropped, pseudo-headers first.

#include <string>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "ferry/sdk/http.h"

namespace ferry::plugins::protocol::h2 {

/** A header block that owns its fields; nv() points into them and lives as long as the block. */
struct HeaderBlock {
  sdk::HeaderList fields;
  std::vector<nghttp2_nv> nv() const;
};

/**
 * Regular fields of `in` fit for HTTP/2: lower-case names, no pseudo-headers, none of
 * Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, Host or the fields that
 * Connection lists, and TE only as "trailers".
 */
sdk::HeaderList regularFields(const sdk::HeaderList& in);

/** :method, :scheme, :authority (head.host, else its Host header), :path, then the regular fields. */
HeaderBlock requestBlock(const sdk::HttpRequestHead& head, const char* scheme);
/** :status, the regular fields, then `via` when given. */
HeaderBlock responseBlock(const sdk::HttpResponseHead& head, const std::string& via);

/** The value of a pseudo-header in a received block, or "". */
std::string pseudo(const sdk::HeaderList& fields, std::string_view name);

}  // namespace ferry::plugins::protocol::h2
