// libFuzzer harness: HTTP/1 responses as a client connection reads them (plugins/protocol/http):
// the status line and fields, framing for the request's method and the status, and the body.
// The first byte picks the request method (HEAD and CONNECT change what a response may carry).
#include <cstdint>
#include <string>

#include "plugins/protocol/http/http1_parse.h"
#include "tests/fuzz/http1_fuzz.h"

using namespace ferry::plugins::protocol::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};
  const char* method = kMethods[data[0] % 4];
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t step = 1 + size % 11;
  HeadLimits limits;
  for (int message = 0; message < 16 && !in.empty(); ++message) {
    ParseError error;
    std::size_t end = findHeadEnd(in, limits, &error);
    if (end == 0 || end == static_cast<std::size_t>(-1)) return 0;  // more bytes needed, or refused
    ferry::sdk::HttpResponseHead head;
    int minor = 1;
    if (!parseResponseHead(in.substr(0, end), &head, &minor, &error)) return 0;
    (void)reasonPhrase(head.status);
    (void)wantsClose(head.headers, minor);
    Framing framing;
    if (!responseFraming(head.headers, method, head.status, &framing, &error)) return 0;
    in.remove_prefix(end);
    std::size_t used = ferry::fuzz::readBody(framing, in, step);
    if (used == std::string_view::npos) return 0;
    in.remove_prefix(used);
  }
  return 0;
}
