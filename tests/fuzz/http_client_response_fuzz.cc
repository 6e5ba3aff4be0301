// libFuzzer harness: the control-plane HTTP client's response reader (core/http_client/
// response_parser), which reads whatever a Consul agent, a Kubernetes API server or namerd sends.
// Byte 0 picks HEAD or GET and the size of the reads; the rest is the stream, fed in those reads,
// then the close. What it delivers must be bounded by what it was given.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "core/http_client/response_parser.h"

using namespace ferry::core::http_client;

namespace {

struct CountingSink : ResponseSink {
  std::size_t heads = 0;
  std::size_t bytes = 0;
  bool onHead(int status, const ferry::sdk::HeaderList&) override {
    if (status < 200 || status > 999) std::abort();
    ++heads;
    return true;
  }
  bool onData(std::string_view data) override {
    if (data.empty()) std::abort();
    bytes += data.size();
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  ResponseParser parser(data[0] & 1);
  const std::size_t step = 1 + (data[0] >> 1);
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);
  CountingSink sink;
  auto status = ResponseParser::Status::NeedMore;
  for (std::size_t at = 0; at < stream.size() && status == ResponseParser::Status::NeedMore; at += step) {
    status = parser.feed(stream.substr(at, step), sink);
  }
  if (status == ResponseParser::Status::NeedMore) status = parser.finish();
  if (sink.heads > 1 || sink.bytes > stream.size()) {
    std::fprintf(stderr, "http_client_response_fuzz: %zu heads, %zu body bytes from %zu bytes\n", sink.heads,
                 sink.bytes, stream.size());
    std::abort();
  }
  if (status == ResponseParser::Status::Failed && parser.error().empty()) std::abort();
  return 0;
}
