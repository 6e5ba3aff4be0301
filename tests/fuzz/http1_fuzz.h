#pragma once
// What the HTTP/1 harnesses share: a message's body read the way the connections read it, the
// bytes given in pieces so that every state of the decoder meets a boundary.
#include <algorithm>
#include <string>
#include <string_view>

#include "plugins/protocol/http/http1_parse.h"

namespace ferry::fuzz {

namespace http = plugins::protocol::http;

/** Reads a body of `framing` from `in` as a connection does: bytes arrive `step` at a time, and
 *  what the decoder did not consume is offered again with the next arrival. Returns the bytes of
 *  `in` the body took, or npos when it is malformed or not complete in `in`. */
inline std::size_t readBody(const http::Framing& framing, std::string_view in, std::size_t step) {
  http::BodyDecoder decoder(framing);
  std::string buffer;
  std::string decoded;
  std::size_t arrived = 0;
  while (!decoder.done()) {
    if (arrived == in.size() && (buffer.empty() || framing.kind != http::Framing::Kind::Chunked)) {
      if (!decoder.finishAtClose()) return std::string_view::npos;
      break;
    }
    if (arrived == in.size()) return std::string_view::npos;  // a chunked body cut short
    std::size_t n = std::min(step, in.size() - arrived);
    buffer.append(in.substr(arrived, n));
    arrived += n;
    http::ParseError error;
    long used = decoder.feed(buffer, &decoded, &error);
    if (used < 0) return std::string_view::npos;
    buffer.erase(0, static_cast<std::size_t>(used));
    decoded.clear();  // the connection forwards it; only the decoding is under test
  }
  for (const auto& [name, value] : decoder.trailers()) (void)http::isHopByHop(name), (void)value;
  (void)http::lastChunk(decoder.trailers());
  return arrived - buffer.size();
}

}  // namespace ferry::fuzz
