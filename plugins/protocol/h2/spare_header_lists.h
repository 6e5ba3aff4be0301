#pragma once
// SpareHeaderLists: the header lists of finished streams, kept with their strings' buffers so
// that later streams receive their header blocks without allocating.
//
// Why: a received field is a pair of std::string (sdk::HeaderList); every name or value longer
// than the small-string buffer (15 bytes: user-agent, date, server, gRPC paths...) was an
// allocation, about six per proxied request, made and freed in bursts (one read carries many
// streams) that overflow glibc's per-thread cache. Assigning over the strings of a list kept from
// a finished stream reuses their buffers instead.
//
// Memory stays bounded: at most kKeepLists lists are kept (enough for about a thousand streams
// in flight), and none whose fields or strings exceed kMaxFields or kMaxBytes (a peer's
// outsized header block is not kept alive): 4 MiB per worker at worst, a few hundred KiB in
// practice (lists of ordinary heads are well under 1 KiB).
//
// Thread: a session's worker (see PooledMemory for the lifetime: the same rules).

#include <cstddef>
#include <memory>
#include <vector>

#include "ferry/sdk/http.h"

namespace ferry::plugins::protocol::h2 {

class SpareHeaderLists {
 public:
  /** The calling thread's lists (made on first use). */
  static std::shared_ptr<SpareHeaderLists> forThisThread();

  /** A list to receive a block into: its entries are strings to assign over (maybe none). */
  sdk::HeaderList take();
  /** Keeps `list` for a later block, unless enough are kept or it holds too much memory. */
  void giveBack(sdk::HeaderList&& list);

  static constexpr std::size_t kKeepLists = 1024;
  static constexpr std::size_t kMaxFields = 32;
  static constexpr std::size_t kMaxBytes = 4096;

 private:
  std::vector<sdk::HeaderList> lists_;
};

}  // namespace ferry::plugins::protocol::h2
