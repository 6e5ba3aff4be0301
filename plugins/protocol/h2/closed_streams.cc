#include "plugins/protocol/h2/closed_streams.h"

namespace ferry::plugins::protocol::h2 {

ClosedStreams::State ClosedStreams::state(int32_t id) const {
  uint32_t slot = static_cast<uint32_t>(id >> 1) % kWindow;
  return static_cast<State>((bits_[slot / 4] >> ((slot % 4) * 2)) & 3);
}

void ClosedStreams::set(int32_t id, State s) {
  uint32_t slot = static_cast<uint32_t>(id >> 1) % kWindow;
  uint8_t& byte = bits_[slot / 4];
  int shift = static_cast<int>(slot % 4) * 2;
  byte = static_cast<uint8_t>((byte & ~(3 << shift)) | (s << shift));
}

void ClosedStreams::opened(int32_t id) {
  if (id <= highest_) return;  // nghttp2 refuses a smaller identifier before it gets here
  if (id - highest_ >= 2 * kWindow) {
    bits_.fill(0);  // a jump past the whole window: every slot now stands for an unused identifier
  } else {
    for (int32_t skipped = highest_ + 2; skipped < id; skipped += 2) set(skipped, kUnused);
  }
  highest_ = id;
  set(id, kOpened);
}

void ClosedStreams::resetByUs(int32_t id) {
  if (id > 0 && id <= highest_ && inWindow(id)) set(id, kResetByUs);
}

ClosedStreams::Verdict ClosedStreams::lateFrame(int32_t id, bool headers) const {
  if (!inWindow(id)) return Verdict::StreamClosed;
  switch (state(id)) {
    case kResetByUs:
      return Verdict::Ignore;
    case kUnused:
      // Never opened, below an opened one: a HEADERS would open it out of order (§5.1.1); a
      // DATA frame finds it closed, as every idle identifier below an opened one is (§5.1.1).
      return headers ? Verdict::ProtocolError : Verdict::StreamClosed;
    default:
      return Verdict::StreamClosed;
  }
}

}  // namespace ferry::plugins::protocol::h2
