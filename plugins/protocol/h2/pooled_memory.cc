#include "plugins/protocol/h2/pooled_memory.h"

#include <cstdlib>
#include <cstring>

namespace ferry::plugins::protocol::h2 {
namespace {

// Blocks carry a 16-byte header (keeps malloc's alignment) holding their size class.
constexpr std::size_t kHeader = 16;
constexpr std::size_t kClasses = 7;  // 64 .. 4096 bytes of payload
// Free blocks kept per class: enough for the streams of about a thousand concurrent requests in
// the small classes nghttp2 allocates per stream and frame (measured at 640 streams in flight:
// with 256, a quarter of them went back to malloc on every burst); fewer of the large ones.
// At worst 1,024 x (64 + 128 + 256 + 512) + 256 x (1,024 + 2,048 + 4,096) bytes: 2.7 MiB.
constexpr std::size_t kMaxFree = 1024;
constexpr std::size_t maxFree(std::size_t c) { return c <= 3 ? kMaxFree : 256; }
constexpr unsigned char kUnpooled = 0xff;

constexpr std::size_t classSize(std::size_t c) { return std::size_t{64} << c; }

int classOf(std::size_t size) {
  for (std::size_t c = 0; c < kClasses; ++c) {
    if (size <= classSize(c)) return static_cast<int>(c);
  }
  return -1;
}

struct FreeList {
  void* blocks[kMaxFree];
  std::size_t count = 0;
};

}  // namespace

struct Pools {
  FreeList lists[kClasses];
  ~Pools() {
    for (auto& l : lists) {
      for (std::size_t i = 0; i < l.count; ++i) std::free(l.blocks[i]);
    }
  }
};

namespace {

Pools& poolsOf(void* user) { return *static_cast<Pools*>(user); }

void* pooledMalloc(std::size_t size, void* user) {
  int c = classOf(size);
  unsigned char* raw;
  if (c < 0) {
    raw = static_cast<unsigned char*>(std::malloc(kHeader + size));
    if (!raw) return nullptr;
    raw[0] = kUnpooled;
  } else {
    FreeList& list = poolsOf(user).lists[c];
    if (list.count > 0) {
      raw = static_cast<unsigned char*>(list.blocks[--list.count]);
    } else {
      raw = static_cast<unsigned char*>(std::malloc(kHeader + classSize(static_cast<std::size_t>(c))));
      if (!raw) return nullptr;
    }
    raw[0] = static_cast<unsigned char>(c);
  }
  std::memcpy(raw + 8, &size, sizeof size);  // the requested size, for realloc
  return raw + kHeader;
}

void pooledFree(void* ptr, void* user) {
  if (!ptr) return;
  unsigned char* raw = static_cast<unsigned char*>(ptr) - kHeader;
  unsigned char c = raw[0];
  if (c != kUnpooled) {
    FreeList& list = poolsOf(user).lists[c];
    if (list.count < maxFree(c)) {
      list.blocks[list.count++] = raw;
      return;
    }
  }
  std::free(raw);
}

void* pooledCalloc(std::size_t n, std::size_t size, void* user) {
  if (size != 0 && n > SIZE_MAX / size) return nullptr;
  void* p = pooledMalloc(n * size, user);
  if (p) std::memset(p, 0, n * size);
  return p;
}

void* pooledRealloc(void* ptr, std::size_t size, void* user) {
  if (!ptr) return pooledMalloc(size, user);
  unsigned char* raw = static_cast<unsigned char*>(ptr) - kHeader;
  std::size_t old = 0;
  std::memcpy(&old, raw + 8, sizeof old);
  if (raw[0] != kUnpooled && size <= classSize(raw[0])) {
    std::memcpy(raw + 8, &size, sizeof size);
    return ptr;
  }
  void* fresh = pooledMalloc(size, user);
  if (!fresh) return nullptr;
  std::memcpy(fresh, ptr, old < size ? old : size);
  pooledFree(ptr, user);
  return fresh;
}

}  // namespace

PooledMemory::PooledMemory()
    : pools_(std::make_unique<Pools>()),
      mem_{pools_.get(), &pooledMalloc, &pooledFree, &pooledCalloc, &pooledRealloc} {}

PooledMemory::~PooledMemory() = default;

std::shared_ptr<PooledMemory> PooledMemory::forThisThread() {
  thread_local std::shared_ptr<PooledMemory> mine = std::make_shared<PooledMemory>();
  return mine;
}

}  // namespace ferry::plugins::protocol::h2
