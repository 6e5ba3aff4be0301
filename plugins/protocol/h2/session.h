#pragma once
// Session: one HTTP/2 connection driven by nghttp2 over a host ByteStream, the part server and
// client codecs share. nghttp2 does the framing, HPACK, stream states and protocol checks;
// this class moves bytes, relays flow control and keeps streams' bodies moving:
//
// - Inbound DATA goes to the stream's sink at once. Window credit is given back (a
//   WINDOW_UPDATE, per windowUpdateRatio) only for bytes the sink's consumer accepted: while a
//   stream is paused its credit is withheld, so a slow reader slows its writer and each stream
//   holds at most one window in memory. The connection window is refilled as data arrives, so
//   one stalled stream never blocks the others.
// - Outbound DATA is pulled by nghttp2 from the stream's outbox as the peer's window allows. A
//   producer is told to pause when the outbox passes its high watermark and resumed (onWritable)
//   when it drains.
// - Frames are written to the ByteStream as nghttp2 produces them; when the socket buffer is
//   full nothing more is produced until it drains.
//
// Thread: the connection's worker only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "ferry/sdk/protocol.h"
#include "plugins/protocol/h2/closed_streams.h"
#include "plugins/protocol/h2/frame_header_scanner.h"
#include "plugins/protocol/h2/headers.h"
#include "plugins/protocol/h2/pooled_memory.h"
#include "plugins/protocol/h2/response_checks.h"
#include "plugins/protocol/h2/settings.h"
#include "plugins/protocol/h2/spare_header_lists.h"

namespace ferry::plugins::protocol::h2 {


/** One stream's body plumbing; server and client exchanges derive from it. */
class Stream {
 public:
  virtual ~Stream() = default;

  int32_t id = -1;
  /** Its index in the owning connection's SlotVector. */
  std::size_t slot = 0;
  /** Where inbound body bytes, the end and resets go (the request body handler, or the response handler). */
  sdk::BodyHandler* sink = nullptr;
  bool inboundPaused = false;
  bool inboundEnded = false;
  /** Bytes received while paused, and bytes consumed but not yet acknowledged. */
  uint32_t withheld = 0;
  uint32_t unacknowledged = 0;

  /**
   * The header block being received (a head or trailers): its first incomingCount entries; the
   * entries past them are strings of an earlier block, assigned over to reuse their buffers
   * (SpareHeaderLists). Also its RFC 9113 size, and whether it was too large.
   */
  sdk::HeaderList incoming;
  std::size_t incomingCount = 0;
  std::size_t incomingBytes = 0;
  bool incomingTooLarge = false;
  /** A response block's :status, kept out of `incoming` (responses carry no other pseudo-header). */
  int incomingStatus = 0;
  /** Client streams: the HTTP rules of the response (ResponseChecks), and the first one it broke. */
  ResponseChecks responseChecks;
  const char* responseBroken = nullptr;

  /** The strings of the head block this stream submitted (HeaderBlock::copyInto): nghttp2 reads them when it writes the frame. */
  BlockBytes sentHeadBytes;

  /** Outbound body bytes nghttp2 has not pulled yet. */
  std::string outbox;
  std::size_t outboxOffset = 0;
  bool outboundEnded = false;
  sdk::HeaderList outboundTrailers;
  bool deferred = false;
  bool producerBlocked = false;
  /** nghttp2 closed the stream; no frame of it will be sent or received again. */
  bool closed = false;
  /** The exchange finished normally; a close after this is not a reset for the sink. */
  bool done = false;

  std::size_t pendingOutbound() const { return outbox.size() - outboxOffset; }
};

class Session : public sdk::ByteStreamHandler {
 public:
  enum class Role { Server, Client };
  Session(sdk::ByteStream& stream, const SessionSettings& settings, Role role);
  ~Session() override;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // sdk::ByteStreamHandler
  void onData(std::string_view bytes) override;
  void onWritable() override;
  void onClosed(const std::string& error) override;

 protected:
  // --- hooks for the roles ------------------------------------------------------------------
  /** A HEADERS frame opened a stream (server: a request): returns its Stream, or null to refuse it. */
  virtual Stream* beginStream(int32_t id) = 0;
  /** A complete header block: the head (first block) or trailers (a later one). */
  virtual void onHeaders(Stream& stream, sdk::HeaderList headers, bool endStream, bool tooLarge) = 0;
  /** A DATA frame with END_STREAM ended the inbound body (without trailers). */
  virtual void onBodyEnded(Stream& stream) = 0;
  /** The stream closed; `code` is NO_ERROR when it ended normally. */
  virtual void onStreamClosed(Stream& stream, uint32_t code) = 0;
  /** A GOAWAY arrived. */
  virtual void onGoAway() {}
  /** Client role: the response on `stream` broke an HTTP/2 message rule (`why`); the stream is reset. */
  virtual void onMalformedResponse(Stream&, const char* /*why*/) {}
  /** The connection is gone (peer closed, protocol error, socket error). */
  virtual void onConnectionLost(const std::string& why) = 0;

  // --- services for the roles ---------------------------------------------------------------
  nghttp2_session* session() const { return session_; }
  /** Writes what nghttp2 has to send, as far as the socket takes it. Safe to call anywhere. */
  void flush();
  /**
   * Flushes at the end of this loop turn, once for everything submitted in it: the streams a
   * turn starts on this connection leave in one pass of nghttp2, not one pass each.
   */
  void flushSoon();
  /** Queues body bytes on `stream`; false when the producer should pause. */
  bool sendBody(Stream& stream, std::string_view bytes);
  /** Ends the outbound body with `trailers` (none: END_STREAM on the last DATA). */
  void endBody(Stream& stream, const sdk::HeaderList& trailers);
  /** Resets `stream` with `code` (RST_STREAM). */
  void resetStream(Stream& stream, uint32_t code);
  /** Pauses or resumes the inbound body of `stream` (withholding its window credit). */
  void pauseInbound(Stream& stream, bool paused);
  /** A data provider that pulls from the stream's outbox. */
  nghttp2_data_provider provider(Stream& stream);
  bool goAwayReceived() const { return goAwayReceived_; }
  bool dead() const { return dead_; }
  /**
   * Frees closed streams' owners later, when none of their calls is on the stack. The stream's
   * `incoming` list, if it has one, is kept for later blocks (SpareHeaderLists): a role puts a
   * list it is done with there.
   */
  void retire(std::unique_ptr<Stream> stream);
  /**
   * Makes `block` (built for `stream`'s head) safe to submit without nghttp2 copying it: its
   * strings are copied into the stream's sentHeadBytes, whose buffer comes from a stream this
   * session retired earlier, so a busy connection allocates none.
   */
  void keepHeadBlock(Stream& stream, HeaderBlock& block);
  /** Ends the connection at once with a GOAWAY carrying `code`, then closes. */
  void terminate(uint32_t code);

  sdk::ByteStream& stream_;
  const SessionSettings& settings_;

 private:
  static int onBeginHeadersCb(nghttp2_session*, const nghttp2_frame*, void*);
  static int onHeaderCb(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t, const uint8_t*, size_t,
                        uint8_t, void*);
  static int onFrameRecvCb(nghttp2_session*, const nghttp2_frame*, void*);
  static int onBeginFrameCb(nghttp2_session*, const nghttp2_frame_hd*, void*);
  static int onFrameSendCb(nghttp2_session*, const nghttp2_frame*, void*);
  static int onDataChunkCb(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int onStreamCloseCb(nghttp2_session*, int32_t, uint32_t, void*);
  static ssize_t readOutboxCb(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*, nghttp2_data_source*, void*);

  /** Gives `bytes` of credit back on `stream` (and the connection), per windowUpdateRatio. */
  void credit(Stream& stream, uint32_t bytes);
  void creditConnection(uint32_t bytes);
  void lose(const std::string& why);
  void schedulePing();
  void notifyDrainedProducers();
  /** Prepares `stream` to receive a header block. */
  void beginBlock(Stream& stream);
  /** Server role: a DATA or HEADERS frame on `id`; a late one on a closed stream ends the connection
   *  as RFC 9113 §5.1 says (ClosedStreams). */
  void lateFrame(uint8_t type, int32_t id);
  /** Server role: checks the DATA frames in `bytes` (see frame_header_scanner.h) before nghttp2 reads them. */
  void checkLateData(std::string_view bytes);
  /** Client role: resets `stream` whose response broke a rule, and tells the role. */
  void responseBroke(Stream& stream, const char* why);
  /** The stream a received frame belongs to (the last one found, first). */
  Stream* streamOf(int32_t id);

  std::shared_ptr<PooledMemory> memory_;  ///< nghttp2's allocator; outlives session_ (deleted in ~Session)
  std::shared_ptr<SpareHeaderLists> spareLists_;
  nghttp2_session* session_ = nullptr;
  Role role_;
  uint32_t connectionUnacknowledged_ = 0;
  uint32_t streamThreshold_ = 1;
  uint32_t connectionThreshold_ = 1;
  int callbackDepth_ = 0;  ///< >0 inside mem_recv / mem_send: nghttp2 must not be re-entered
  bool flushing_ = false;
  bool flushAgain_ = false;
  bool flushPosted_ = false;
  /** Posted flushes check it: the session may be gone when they run. */
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool writeBlocked_ = false;
  bool goAwayReceived_ = false;
  bool dead_ = false;
  std::vector<Stream*> drained_;
  sdk::TimerPtr pingTimer_;
  bool pingOutstanding_ = false;  ///< a PING went out and nothing came back since
  std::vector<std::unique_ptr<Stream>> retired_;
  std::vector<BlockBytes> spareHeadBytes_;  ///< retired streams' sentHeadBytes buffers, for reuse
  // The last stream a received frame was found for: a header block is never interleaved with
  // another stream's frames (RFC 9113 §4.3), and a DATA frame's chunks and its end come one
  // after the other, so most callbacks find their stream here instead of in nghttp2's stream
  // map. Set when a stream begins, forgotten when it closes.
  int32_t lastStreamId_ = 0;
  Stream* lastStream_ = nullptr;
  ClosedStreams closed_;  ///< server role: the client's closed streams, for late frames on them
  FrameHeaderScanner inboundFrames_{24};  ///< server role: the client's frames, after its preface
};

/** RFC 9113 error code to the SDK's, and back (they are the same numbers). */
inline sdk::ResetCode toResetCode(uint32_t code) { return static_cast<sdk::ResetCode>(code); }
inline uint32_t fromResetCode(sdk::ResetCode code) { return static_cast<uint32_t>(code); }
/** "CANCEL", "REFUSED_STREAM"... for messages. */
std::string errorCodeName(uint32_t code);

}  // namespace ferry::plugins::protocol::h2
