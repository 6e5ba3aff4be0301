#pragma once
// ClosedStreams: what an h2 server remembers of the streams its client opened, once they closed,
// so that late frames on them get the answer RFC 9113 §5.1 gives:
// - on a stream this server reset: ignored (the client may have sent them before it saw the
//   RST_STREAM);
// - DATA or HEADERS on a stream that closed otherwise (it ended, or the client reset it): a
//   connection error of type STREAM_CLOSED;
// - HEADERS on an identifier below the highest one opened, never used itself: a connection error
//   of type PROTOCOL_ERROR (§5.1.1: identifiers only grow).
// nghttp2 tells these apart by keeping closed streams, which Ferry turns off (session.cc: 22 MiB
// at 64 busy connections). This keeps two bits for each of the client's last 1,024 stream
// identifiers (256 bytes a connection); an older identifier counts as closed normally (the RFC
// lets the "ignore after RST" period be limited).
//
// Thread: the connection's worker.

#include <array>
#include <cstdint>

namespace ferry::plugins::protocol::h2 {

class ClosedStreams {
 public:
  enum class Verdict { Ignore, StreamClosed, ProtocolError };

  /** The client opened stream `id` (odd, above every earlier one). */
  void opened(int32_t id);
  /** This server reset stream `id` (RST_STREAM submitted or sent). */
  void resetByUs(int32_t id);
  /** The highest stream identifier the client opened (0: none). */
  int32_t highest() const { return highest_; }
  /**
   * A DATA (`headers` false) or HEADERS frame arrived on `id`, an odd identifier not above
   * highest() whose stream is not open: what to do with it.
   */
  Verdict lateFrame(int32_t id, bool headers) const;

 private:
  static constexpr int32_t kWindow = 1024;  ///< identifiers remembered (odd ones: one slot each)
  enum State : uint8_t { kUnused = 0, kOpened = 1, kResetByUs = 2 };

  State state(int32_t id) const;
  void set(int32_t id, State s);
  bool inWindow(int32_t id) const { return highest_ - id < 2 * kWindow; }

  int32_t highest_ = 0;
  std::array<uint8_t, kWindow / 4> bits_{};  ///< two bits a slot; slot = (id >> 1) % kWindow
};

}  // namespace ferry::plugins::protocol::h2
