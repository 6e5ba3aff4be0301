// libFuzzer harness: HTTP/1 requests as a server connection reads them (plugins/protocol/http):
// heads, body framing, Content-Length and chunked bodies with trailers, pipelined one after another.
#include <cstdint>
#include <string>

#include "plugins/protocol/http/http1_parse.h"
#include "tests/fuzz/http1_fuzz.h"

using namespace ferry::plugins::protocol::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::size_t step = 1 + size % 13;
  HeadLimits limits;
  for (int message = 0; message < 16 && !in.empty(); ++message) {
    ParseError error;
    std::size_t end = findHeadEnd(in, limits, &error);
    if (end == 0 || end == static_cast<std::size_t>(-1)) return 0;  // more bytes needed, or refused
    ferry::sdk::HttpRequestHead head;
    if (!parseRequestHead(in.substr(0, end), limits, &head, &error)) return 0;
    (void)head.path();
    (void)wantsClose(head.headers, head.versionMinor);
    Framing framing;
    if (!requestFraming(head.headers, &framing, &error)) return 0;
    stripHopByHop(head.headers);
    std::string out;
    appendFields(out, head.headers);
    in.remove_prefix(end);
    std::size_t used = ferry::fuzz::readBody(framing, in, step);
    if (used == std::string_view::npos) return 0;
    in.remove_prefix(used);
  }
  return 0;
}
