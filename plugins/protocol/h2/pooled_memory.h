#pragma once
// nghttp2's allocator: per-thread free lists by size class. nghttp2 allocates and frees small
// blocks for every stream, frame and header (stream state, outbound items, HPACK entries); at
// tens of thousands of streams a second glibc's small per-size caches overflow and every block
// goes through the general allocator. A session lives on one worker thread, so its blocks come
// back to the same thread's lists; each list keeps at most kMaxFree blocks, so idle memory stays
// bounded (about 2 MiB per worker at worst).

#include <nghttp2/nghttp2.h>

namespace ferry::plugins::protocol::h2 {

/** The allocator to hand to nghttp2_session_*_new3. */
nghttp2_mem* pooledMemory();

}  // namespace ferry::plugins::protocol::h2
