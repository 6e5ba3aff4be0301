#pragma once
// FrameHeaderScanner: finds the frame headers in a received HTTP/2 byte stream without reading
// the payloads, however the stream is split into reads.
//
// Why: nghttp2 drops a DATA frame on a stream it no longer knows before any callback sees it
// (it keeps no closed streams here, see session.cc), so the server looks at each DATA frame's
// header itself, before handing the bytes to nghttp2, to answer late DATA as RFC 9113 §5.1
// says (ClosedStreams). The cost is a jump from header to header: payload bytes are skipped.
//
// Thread: the connection's worker.

#include <cstdint>
#include <string_view>

namespace ferry::plugins::protocol::h2 {

class FrameHeaderScanner {
 public:
  /** `skip`: bytes before the first frame (the 24-byte client preface on a server). */
  explicit FrameHeaderScanner(uint32_t skip) : skip_(skip) {}

  /** Calls `onHeader(type, flags, streamId)` for each frame header that `bytes` completes. */
  template <typename F>
  void scan(std::string_view bytes, F&& onHeader) {
    std::size_t at = 0;
    while (at < bytes.size()) {
      if (skip_ > 0) {
        std::size_t n = std::min<std::size_t>(skip_, bytes.size() - at);
        skip_ -= static_cast<uint32_t>(n);
        at += n;
        continue;
      }
      header_[have_++] = static_cast<uint8_t>(bytes[at++]);
      if (have_ < 9) continue;
      have_ = 0;
      skip_ = (uint32_t{header_[0]} << 16) | (uint32_t{header_[1]} << 8) | header_[2];
      int32_t stream = static_cast<int32_t>(((uint32_t{header_[5]} & 0x7f) << 24) | (uint32_t{header_[6]} << 16) |
                                            (uint32_t{header_[7]} << 8) | header_[8]);
      onHeader(header_[3], header_[4], stream);
    }
  }

 private:
  uint32_t skip_;
  uint8_t header_[9] = {};
  uint8_t have_ = 0;
};

}  // namespace ferry::plugins::protocol::h2
