// libFuzzer harness: HTTP/2 header blocks as Ferry handles them (plugins/protocol/h2). The input is
// a sequence of HPACK-encoded blocks, decoded by nghttp2's inflater as a session would; each
// decoded block goes through the response checks an upstream's answers meet (RFC 9113 §8), with
// DATA and END_STREAM events between blocks, and through the header-block builders the other
// side uses (regular fields, request and response blocks, copied as a stream keeps them).
//
// Layout: byte 0 picks the request method; then records of [op][length][bytes]: op & 3 == 0 a
// header block (op & 4: it carries END_STREAM), 1 DATA of `length` bytes, 2 END_STREAM on DATA.
#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <string>

#include "plugins/protocol/h2/headers.h"
#include "plugins/protocol/h2/response_checks.h"
#include "tests/fuzz/fuzz_input.h"

using namespace ferry::plugins::protocol::h2;
using ferry::fuzz::FuzzInput;

namespace {

/** Decodes one HPACK block into `out`; false when nghttp2 refuses it (a COMPRESSION_ERROR). */
bool inflate(nghttp2_hd_inflater* inflater, std::string_view block, ferry::sdk::HeaderList* out) {
  auto* in = reinterpret_cast<const uint8_t*>(block.data());
  std::size_t left = block.size();
  while (true) {
    nghttp2_nv nv;
    int flags = 0;
    ssize_t used = nghttp2_hd_inflate_hd2(inflater, &nv, &flags, in, left, 1);
    if (used < 0) return false;
    in += used;
    left -= static_cast<std::size_t>(used);
    if (flags & NGHTTP2_HD_INFLATE_EMIT) {
      out->emplace_back(std::string(reinterpret_cast<char*>(nv.name), nv.namelen),
                        std::string(reinterpret_cast<char*>(nv.value), nv.valuelen));
    }
    if (flags & NGHTTP2_HD_INFLATE_FINAL) {
      nghttp2_hd_inflate_end_headers(inflater);
      return true;
    }
    if (used == 0 && left == 0) return false;
  }
}

/** The builders' side: whatever a head holds must come out as a valid block or be dropped. */
void build(const ferry::sdk::HeaderList& fields) {
  ferry::sdk::HttpRequestHead request;
  request.method = "GET";
  request.target = "/";
  request.headers = fields;
  takeRequestPseudoHeaders(fields, request);
  (void)regularFields(fields);
  BlockBytes storage;
  {
    HeaderBlock block;
    requestBlock(request, "http", block);
    block.copyInto(storage);
  }
  ferry::sdk::HttpResponseHead response;
  response.status = 200;
  response.headers = fields;
  HeaderBlock block;
  responseBlock(response, "1.1 ferry", block);
  block.copyInto(storage);
  (void)withoutPseudo(ferry::sdk::HeaderList(fields));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput input(data, size);
  static const char* const kMethods[] = {"GET", "HEAD", "POST", "CONNECT"};
  ResponseChecks checks;
  checks.requestMethod(kMethods[input.byte() % 4]);
  nghttp2_hd_inflater* inflater = nullptr;
  if (nghttp2_hd_inflate_new(&inflater) != 0) return 0;
  const char* why = nullptr;
  bool alive = true;
  for (int record = 0; record < 64 && alive && !input.empty(); ++record) {
    uint8_t op = input.byte();
    std::string_view bytes = input.take(input.byte());
    switch (op & 3) {
      case 0: {
        ferry::sdk::HeaderList fields;
        if (!inflate(inflater, bytes, &fields)) {
          alive = false;  // the connection would end with COMPRESSION_ERROR
          break;
        }
        checks.beginBlock();
        for (const auto& [name, value] : fields) {
          if (checks.field(name, value, &why) == ResponseChecks::Verdict::StreamError) alive = false;
          (void)validFieldName(name);
          (void)validFieldValue(value);
          if (!alive) break;
        }
        if (alive) alive = checks.endBlock(op & 4, &why);
        build(fields);
        break;
      }
      case 1:
        alive = checks.data(bytes.size(), &why);
        break;
      default:
        alive = checks.end(&why);
        break;
    }
  }
  (void)checks.status();
  nghttp2_hd_inflate_del(inflater);
  return 0;
}
