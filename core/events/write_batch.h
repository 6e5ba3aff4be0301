#pragma once
// WriteBatch: while one is open on a thread, a socket written to is queued, and every queued
// socket sends its bytes when the outermost batch closes: one send per socket for all that was
// written in the batch, and no posted closure per socket.
//
// Batches are opened around a socket's read callback (core/net/tcp_stream.cc: a request read on
// one connection typically writes to another) and around each closure run for
// Dispatcher::post (event_loop.cc: an h2 session posts its flush once per loop turn; its socket
// then sends at the end of that closure, not one posted closure later).
//
// Thread: the calling thread's batch only.

#include <memory>
#include <vector>

namespace ferry::core::events {

/** Something with buffered output to send when a batch closes (a socket). */
class BatchedWriter {
 public:
  /** Sends what was buffered. Must not read, so no read callback runs inside a batch's close. */
  virtual void flushBatched() = 0;

 protected:
  ~BatchedWriter() = default;
};

class WriteBatch {
 public:
  WriteBatch() { ++tDepth; }
  ~WriteBatch() {
    if (--tDepth == 0) flushAll();
  }
  WriteBatch(const WriteBatch&) = delete;
  WriteBatch& operator=(const WriteBatch&) = delete;

  /** Whether a batch is open on this thread. */
  static bool open() { return tDepth > 0; }
  /** Queues `writer` to flush when the outermost batch closes (at most once: callers track it). */
  static void add(std::shared_ptr<BatchedWriter> writer) { tPending.push_back(std::move(writer)); }

 private:
  static void flushAll() {
    // Writers flushed here may queue others (a failed send closes a stream, its handler
    // writes): flushed too, in the same loop. The two vectors are swapped so both keep their
    // capacity.
    while (!tPending.empty()) {
      tFlushing.swap(tPending);
      for (auto& w : tFlushing) w->flushBatched();
      tFlushing.clear();
    }
  }

  inline static thread_local int tDepth = 0;
  inline static thread_local std::vector<std::shared_ptr<BatchedWriter>> tPending;
  inline static thread_local std::vector<std::shared_ptr<BatchedWriter>> tFlushing;
};

}  // namespace ferry::core::events
