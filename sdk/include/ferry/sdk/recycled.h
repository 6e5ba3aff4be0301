#pragma once
// Recycled<T>: a per-thread free list for the objects of one class, through class-specific
// operator new and delete (T derives from Recycled<T>). For objects made and freed once per
// request or stream on a worker.
//
// Why: a worker allocates such objects in bursts (one read carries many streams) and frees them
// in bursts; glibc's per-thread cache keeps only 7 freed blocks per size, so most of these
// medium-sized blocks went through malloc's shared bins (sorting, coalescing, splitting:
// _int_malloc and _int_free were the largest user-space items in perf at 16 connections x 10 h2
// streams). A free list does none of that. At most kKeep blocks are kept per thread and class
// (1,024: a worker with 640 h2 streams in flight returned a third of its exchanges to malloc on
// every burst with 256); more go back to malloc.
//
// Thread: any; each thread has its own list. A block freed on another thread than the one that
// allocated it joins the freeing thread's list.

#include <cstddef>
#include <new>
#include <vector>

namespace ferry::sdk {

template <typename T>
class Recycled {
 public:
  static void* operator new(std::size_t size) {
    auto& blocks = cache().blocks;
    if (size == sizeof(T) && !blocks.empty()) {
      void* p = blocks.back();
      blocks.pop_back();
      return p;
    }
    return ::operator new(size);
  }

  static void operator delete(void* p, std::size_t size) {
    auto& blocks = cache().blocks;
    if (size == sizeof(T) && blocks.size() < kKeep) {
      blocks.push_back(p);
      return;
    }
    release(p, size);
  }

 private:
  static constexpr std::size_t kKeep = 1024;

  /** Back to the global allocator; sized when the compiler has sized deallocation (clang before
   *  17 needs -fsized-deallocation for it, and a plugin author's flags are theirs to choose). */
  static void release(void* p, [[maybe_unused]] std::size_t size) {
#if defined(__cpp_sized_deallocation)
    ::operator delete(p, size);
#else
    ::operator delete(p);
#endif
  }

  struct Cache {
    std::vector<void*> blocks;
    ~Cache() {
      for (void* p : blocks) release(p, sizeof(T));
    }
  };

  static Cache& cache() {
    thread_local Cache c;
    return c;
  }
};

}  // namespace ferry::sdk
