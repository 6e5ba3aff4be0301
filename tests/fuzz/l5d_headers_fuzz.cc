// libFuzzer harness: the l5d-* request headers a client controls (core/router/linkerd_headers):
// `l5d-dtab` and `l5d-ctx-dtab` read into the request's local dtab, every l5d-* field cleared at
// an edge, and the destination headers written for the next hop. Input: header fields as
// "name\0value\0" records; names are drawn from the l5d-* set by the first byte of each name, so
// the fuzzer spends its time on values. Whatever local dtab is read must travel on as
// l5d-ctx-dtab and be read back the same by the next Ferry.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/router/linkerd_headers.h"
#include "tests/fuzz/fuzz_input.h"

using namespace ferry::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kNames[] = {"l5d-dtab", "l5d-ctx-dtab", "L5d-Dtab", "l5d-ctx-trace", "l5d-ctx-deadline",
                                       "l5d-reqid", "l5d-dst-service", "host"};
  ferry::fuzz::FuzzInput input(data, size);
  ferry::sdk::HttpRequestHead head;
  head.method = "GET";
  head.target = "/";
  for (int i = 0; i < 32 && !input.empty(); ++i) {
    const char* name = kNames[input.byte() % 8];
    head.headers.emplace_back(name, std::string(input.until('\0')));
  }
  auto local = router::localDtab(head);
  if (!local) return 0;
  ferry::sdk::HttpRequestHead next = head;
  auto residual = ferry::sdk::Path::parse("/rest").value();
  router::setDestinationHeaders(next, "/svc/web", "/#/io.l5d.fs/web", residual, *local, "reqid");
  // The next hop reads what this one wrote: the same dtab, since l5d-dtab was folded into ctx.
  auto forwarded = router::localDtab(next);
  if (!forwarded || forwarded->show() != local->show()) {
    std::fprintf(stderr, "l5d_headers_fuzz: the forwarded l5d-ctx-dtab reads back differently\n");
    std::abort();
  }
  router::clearContextHeaders(next.headers);
  for (const auto& [name, value] : next.headers) {
    if (name.size() >= 4 && (name.compare(0, 4, "l5d-") == 0 || name.compare(0, 4, "L5d-") == 0)) {
      std::fprintf(stderr, "l5d_headers_fuzz: %s survived clearContext\n", name.c_str());
      std::abort();
    }
  }
  return 0;
}
