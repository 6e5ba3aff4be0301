#pragma once
// nghttp2's allocator: per-thread free lists by size class. nghttp2 allocates and frees small
// blocks for every stream, frame and header (stream state, outbound items, HPACK entries); at
// tens of thousands of streams a second glibc's small per-size caches overflow and every block
// goes through the general allocator. A session's blocks come back to the lists of the thread
// that created it (see PooledMemory); each list keeps at most maxFree(class) blocks, so idle memory
// stays bounded (2.7 MiB per worker at worst; see pooled_memory.cc).

#include <memory>

#include <nghttp2/nghttp2.h>

namespace ferry::plugins::protocol::h2 {

struct Pools;

/**
 * One thread's pools, as nghttp2's allocator. nghttp2 hands the pools to every call as its
 * user pointer, so an allocation finds them without a thread-local lookup (a call into the
 * dynamic linker from a plugin: about 400 instructions per proxied request). A session keeps a
 * reference to the pools it was created with: sessions are used on their worker only, and those
 * still alive when the workers have stopped are destroyed on the main thread, into the same
 * pools, which outlive their thread for that.
 */
class PooledMemory {
 public:
  /** The calling thread's pools (made on first use). */
  static std::shared_ptr<PooledMemory> forThisThread();
  PooledMemory();
  ~PooledMemory();
  /** The allocator to hand to nghttp2_session_*_new3 (nghttp2 copies it). */
  nghttp2_mem* nghttp2() { return &mem_; }

 private:
  std::unique_ptr<Pools> pools_;
  nghttp2_mem mem_;
};

}  // namespace ferry::plugins::protocol::h2
