#include "plugins/protocol/h2/session.h"

#include "plugins/protocol/h2/headers.h"
#include "plugins/protocol/h2/pooled_memory.h"

#include <algorithm>
#include <cstring>

namespace ferry::plugins::protocol::h2 {
namespace {

// A producer pauses once this much body waits for the peer's window, and resumes below the low mark.
constexpr std::size_t kOutboxHigh = 64 * 1024;
constexpr std::size_t kOutboxLow = 16 * 1024;
// A consumed prefix of the outbox is dropped once it is this large.
constexpr std::size_t kOutboxCompact = 64 * 1024;
// Head-block buffers a session keeps from retired streams (a few hundred bytes each).
constexpr std::size_t kSpareHeadBuffers = 64;

Session* self(void* user) { return static_cast<Session*>(user); }

}  // namespace

std::string errorCodeName(uint32_t code) { return nghttp2_http2_strerror(code); }

Session::Session(sdk::ByteStream& stream, const SessionSettings& settings, Role role)
    : stream_(stream),
      settings_(settings),
      memory_(PooledMemory::forThisThread()),
      spareLists_(SpareHeaderLists::forThisThread()),
      role_(role) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &Session::onBeginHeadersCb);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &Session::onHeaderCb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &Session::onFrameRecvCb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &Session::onDataChunkCb);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &Session::onStreamCloseCb);
  if (role == Role::Server) {
    // Late frames on closed streams (ClosedStreams): checked as each frame begins, and resets
    // noted as they leave (nghttp2 sends some of its own, for malformed requests).
    nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, &Session::onBeginFrameCb);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &Session::onFrameSendCb);
  }
  nghttp2_option* options = nullptr;
  nghttp2_option_new(&options);
  // Window credit follows what the other side of the relay accepted, not what arrived.
  nghttp2_option_set_no_auto_window_update(options, 1);
  // nghttp2 otherwise keeps up to SETTINGS_MAX_CONCURRENT_STREAMS (1,000 here) closed streams
  // per session for RFC 7540 priority trees, which Ferry does not use: measured, 64 busy client
  // connections held 22 MiB of them, and a larger stream map to search for every frame.
  nghttp2_option_set_no_closed_streams(options, 1);
  // HPACK: the default dynamic table. Repeated fields (Via, l5d-dst-*, user-agent, server...)
  // then cost an index instead of a Huffman-coded literal each time; the one field that changes
  // on every request, l5d-reqid, is sent without indexing (headers.cc) so it does not churn the
  // table. Measured with callgrind: 48,300 -> 41,900 instructions per proxied request, against
  // static-table-and-literals encoding.
  // Upstream responses are checked by ResponseChecks (the same rules, at a fraction of the cost);
  // requests, Ferry's server side, keep nghttp2's checks.
  if (role == Role::Client) nghttp2_option_set_no_http_messaging(options, 1);
  if (role == Role::Server) {
    nghttp2_session_server_new3(&session_, callbacks, this, options, memory_->nghttp2());
  } else {
    nghttp2_session_client_new3(&session_, callbacks, this, options, memory_->nghttp2());
  }
  nghttp2_option_del(options);
  nghttp2_session_callbacks_del(callbacks);

  std::vector<nghttp2_settings_entry> iv;
  iv.push_back({NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, settings.initialStreamWindowBytes});
  iv.push_back({NGHTTP2_SETTINGS_MAX_FRAME_SIZE, settings.maxFrameBytes});
  if (settings.maxConcurrentStreams) iv.push_back({NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, *settings.maxConcurrentStreams});
  if (settings.maxHeaderListBytes) iv.push_back({NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, *settings.maxHeaderListBytes});
  if (settings.headerTableBytes) iv.push_back({NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, *settings.headerTableBytes});
  if (role == Role::Client) iv.push_back({NGHTTP2_SETTINGS_ENABLE_PUSH, 0});
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, iv.data(), iv.size());
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(settings.connectionWindowBytes));

  double consumedFraction = std::clamp(1.0 - settings.windowUpdateRatio, 0.0, 1.0);
  streamThreshold_ = std::max<uint32_t>(1, static_cast<uint32_t>(consumedFraction * settings.initialStreamWindowBytes));
  connectionThreshold_ = std::max<uint32_t>(1, settings.connectionWindowBytes / 2);
  stream_.setHandler(this);
  schedulePing();
}

void Session::schedulePing() {
  if (settings_.pingInterval.count() <= 0) return;
  pingTimer_ = stream_.dispatcher().schedule(settings_.pingInterval, [this] {
    if (dead_) return;
    if (pingOutstanding_) {
      // A whole interval without a byte from the peer after our PING: it is gone or stuck.
      stream_.abort();
      lose("the peer did not answer a keep-alive PING within " + std::to_string(settings_.pingInterval.count()) +
           " ms");
      return;
    }
    pingOutstanding_ = true;
    nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
    flush();
    schedulePing();
  });
}

Session::~Session() {
  pingTimer_.reset();
  nghttp2_session_del(session_);
}

// --- bytes in and out ---------------------------------------------------------------------

void Session::onData(std::string_view bytes) {
  if (dead_) return;
  retired_.clear();
  pingOutstanding_ = false;  // the peer is alive
  if (role_ == Role::Server) checkLateData(bytes);
  ++callbackDepth_;
  ssize_t used = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  --callbackDepth_;
  if (used < 0) {
    // Bad preface or a fatal protocol error: nghttp2 queued a GOAWAY where it could.
    flush();
    std::string why = std::string("HTTP/2 protocol error: ") + nghttp2_strerror(static_cast<int>(used));
    if (!dead_) stream_.close();
    lose(why);
    return;
  }
  flush();
}

void Session::onWritable() {
  if (dead_) return;
  retired_.clear();
  writeBlocked_ = false;
  flush();
}

void Session::onClosed(const std::string& error) { lose(error.empty() ? "the peer closed the connection" : error); }

void Session::flush() {
  // nghttp2 must not be re-entered from its own callbacks; their caller flushes afterwards.
  if (dead_ || callbackDepth_ > 0) return;
  if (flushing_) {
    flushAgain_ = true;
    return;
  }
  flushing_ = true;
  do {
    flushAgain_ = false;
    while (!writeBlocked_) {
      const uint8_t* data = nullptr;
      ++callbackDepth_;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      --callbackDepth_;
      if (n < 0) {
        flushing_ = false;
        stream_.abort();
        lose(std::string("HTTP/2 send failed: ") + nghttp2_strerror(static_cast<int>(n)));
        return;
      }
      if (n == 0) break;
      if (!stream_.write(std::string_view(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n)))) {
        writeBlocked_ = true;
      }
    }
    notifyDrainedProducers();
  } while (flushAgain_ && !dead_);
  flushing_ = false;
  if (!dead_ && !nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_)) {
    // Both sides are done (GOAWAY exchanged and streams finished, or a fatal error sent).
    stream_.close();
    lose("the HTTP/2 session ended");
  }
}

void Session::flushSoon() {
  if (dead_ || callbackDepth_ > 0) return;  // inside nghttp2's callbacks: their caller flushes
  if (flushing_) {
    flushAgain_ = true;
    return;
  }
  if (flushPosted_) return;
  flushPosted_ = true;
  std::weak_ptr<bool> alive = alive_;
  stream_.dispatcher().post([this, alive] {
    if (alive.expired()) return;
    flushPosted_ = false;
    flush();
  });
}

void Session::notifyDrainedProducers() {
  while (!drained_.empty()) {
    auto streams = std::move(drained_);
    drained_.clear();
    for (Stream* s : streams) {
      if (!s->producerBlocked) continue;
      s->producerBlocked = false;
      if (s->sink && !s->closed && !s->done) s->sink->onWritable();
    }
  }
}

void Session::lose(const std::string& why) {
  if (dead_) return;
  dead_ = true;
  onConnectionLost(why);
}

void Session::terminate(uint32_t code) {
  if (dead_) return;
  nghttp2_session_terminate_session(session_, code);
  flush();
}

// --- streams --------------------------------------------------------------------------------

bool Session::sendBody(Stream& stream, std::string_view bytes) {
  if (stream.closed || stream.outboundEnded || dead_) return true;
  if (stream.outboxOffset >= kOutboxCompact) {
    stream.outbox.erase(0, stream.outboxOffset);
    stream.outboxOffset = 0;
  }
  stream.outbox.append(bytes);
  if (stream.deferred) {
    stream.deferred = false;
    nghttp2_session_resume_data(session_, stream.id);
  }
  // Frames go out once per loop turn; a full outbox is offered to nghttp2 at once.
  if (stream.pendingOutbound() >= kOutboxHigh) flush();
  else flushSoon();
  if (stream.pendingOutbound() >= kOutboxHigh) {
    stream.producerBlocked = true;
    return false;
  }
  return true;
}

void Session::endBody(Stream& stream, const sdk::HeaderList& trailers) {
  if (stream.closed || stream.outboundEnded || dead_) return;
  stream.outboundEnded = true;
  stream.outboundTrailers = trailers;
  if (stream.deferred) {
    stream.deferred = false;
    nghttp2_session_resume_data(session_, stream.id);
  }
  flushSoon();
}

void Session::resetStream(Stream& stream, uint32_t code) {
  if (stream.closed || dead_ || stream.id < 0) return;
  // What was relayed before the reset goes out first (nghttp2 would drop a head still queued).
  flush();
  if (stream.closed || dead_) return;
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream.id, code);
  if (role_ == Role::Server) closed_.resetByUs(stream.id);
  flushSoon();
}

void Session::retire(std::unique_ptr<Stream> stream) {
  // A closed stream's frames are written or dropped: its head bytes are free for the next one.
  if (stream->sentHeadBytes.capacity > 0 && spareHeadBytes_.size() < kSpareHeadBuffers) {
    spareHeadBytes_.push_back(std::move(stream->sentHeadBytes));
  }
  spareLists_->giveBack(std::move(stream->incoming));
  retired_.push_back(std::move(stream));
}

void Session::keepHeadBlock(Stream& stream, HeaderBlock& block) {
  if (stream.sentHeadBytes.capacity == 0 && !spareHeadBytes_.empty()) {
    stream.sentHeadBytes = std::move(spareHeadBytes_.back());
    spareHeadBytes_.pop_back();
  }
  block.copyInto(stream.sentHeadBytes);
}

void Session::pauseInbound(Stream& stream, bool paused) {
  stream.inboundPaused = paused;
  if (paused || stream.withheld == 0) return;
  uint32_t held = stream.withheld;
  stream.withheld = 0;
  credit(stream, held);
  flushSoon();
}

void Session::credit(Stream& stream, uint32_t bytes) {
  stream.unacknowledged += bytes;
  if (stream.unacknowledged < streamThreshold_ || stream.closed || stream.inboundEnded || dead_) return;
  nghttp2_submit_window_update(session_, NGHTTP2_FLAG_NONE, stream.id, static_cast<int32_t>(stream.unacknowledged));
  stream.unacknowledged = 0;
}

void Session::creditConnection(uint32_t bytes) {
  connectionUnacknowledged_ += bytes;
  if (connectionUnacknowledged_ < connectionThreshold_) return;
  nghttp2_submit_window_update(session_, NGHTTP2_FLAG_NONE, 0, static_cast<int32_t>(connectionUnacknowledged_));
  connectionUnacknowledged_ = 0;
}

nghttp2_data_provider Session::provider(Stream& stream) {
  nghttp2_data_provider p;
  p.source.ptr = &stream;
  p.read_callback = &Session::readOutboxCb;
  return p;
}

// --- nghttp2 callbacks ------------------------------------------------------------------------

int Session::onBeginHeadersCb(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  Session* s = self(user);
  if (s->role_ == Role::Server && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    s->closed_.opened(frame->hd.stream_id);
    Stream* stream = s->beginStream(frame->hd.stream_id);
    if (!stream) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_REFUSED_STREAM);
      s->closed_.resetByUs(frame->hd.stream_id);
      return 0;
    }
    stream->id = frame->hd.stream_id;
    nghttp2_session_set_stream_user_data(session, frame->hd.stream_id, stream);
    s->lastStreamId_ = frame->hd.stream_id;
    s->lastStream_ = stream;
    s->beginBlock(*stream);
    return 0;
  }
  if (auto* stream = s->streamOf(frame->hd.stream_id)) s->beginBlock(*stream);
  return 0;
}

void Session::beginBlock(Stream& stream) {
  if (stream.incoming.capacity() == 0) stream.incoming = spareLists_->take();
  stream.incomingCount = 0;
  stream.incomingBytes = 0;
  stream.incomingTooLarge = false;
  stream.incomingStatus = 0;
  if (role_ == Role::Client) stream.responseChecks.beginBlock();
}

void Session::responseBroke(Stream& stream, const char* why) {
  if (stream.responseBroken) return;
  stream.responseBroken = why;
  resetStream(stream, NGHTTP2_PROTOCOL_ERROR);
  onMalformedResponse(stream, why);
}

Stream* Session::streamOf(int32_t id) {
  if (id == lastStreamId_ && lastStream_) return lastStream_;
  auto* stream = static_cast<Stream*>(nghttp2_session_get_stream_user_data(session_, id));
  lastStreamId_ = id;
  lastStream_ = stream;
  return stream;
}

int Session::onHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                        const uint8_t* value, size_t valuelen, uint8_t, void* user) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  Session* s = self(user);
  auto* stream = s->streamOf(frame->hd.stream_id);
  if (!stream) return 0;
  // RFC 9113 §6.5.2: a field counts its name, its value and 32 octets.
  stream->incomingBytes += namelen + valuelen + 32;
  if (s->settings_.maxHeaderListBytes && stream->incomingBytes > *s->settings_.maxHeaderListBytes) {
    stream->incomingTooLarge = true;
    return 0;
  }
  if (s->role_ == Role::Client) {
    if (stream->responseBroken) return 0;
    const char* why = nullptr;
    std::string_view n(reinterpret_cast<const char*>(name), namelen), v(reinterpret_cast<const char*>(value), valuelen);
    switch (stream->responseChecks.field(n, v, &why)) {
      case ResponseChecks::Verdict::StreamError:
        s->responseBroke(*stream, why);
        return 0;
      case ResponseChecks::Verdict::Drop:
        return 0;
      case ResponseChecks::Verdict::Keep:
        break;
    }
    // The checks allow one pseudo-header in a response, :status, kept out of the list.
    if (n[0] == ':') {
      stream->incomingStatus = stream->responseChecks.status();
      return 0;
    }
  }
  auto& list = stream->incoming;
  if (stream->incomingCount < list.size()) {
    auto& [n, v] = list[stream->incomingCount];  // a spare entry: its buffers are reused
    n.assign(reinterpret_cast<const char*>(name), namelen);
    v.assign(reinterpret_cast<const char*>(value), valuelen);
  } else {
    // Room for a typical head and the headers the router adds, so the list grows once. 15
    // fields (960 bytes) stay below glibc's large-request size (1,008): a larger first
    // reservation made every header block consolidate the allocator's fast bins (callgrind).
    if (list.capacity() == 0) list.reserve(15);
    list.emplace_back(std::piecewise_construct,
                      std::forward_as_tuple(reinterpret_cast<const char*>(name), namelen),
                      std::forward_as_tuple(reinterpret_cast<const char*>(value), valuelen));
  }
  ++stream->incomingCount;
  return 0;
}

void Session::lateFrame(uint8_t type, int32_t id) {
  // DATA or HEADERS on a client stream that is no longer open: nghttp2, keeping no closed
  // streams, would ignore it; RFC 9113 §5.1 and §5.1.1 say what it is.
  if (id <= 0 || !(id & 1) || id > closed_.highest() || streamOf(id)) return;
  if (nghttp2_session_find_stream(session_, id)) return;  // open, without a Stream of ours: nghttp2's call
  auto verdict = closed_.lateFrame(id, type == NGHTTP2_HEADERS);
  if (verdict == ClosedStreams::Verdict::Ignore) return;
  // Not terminate(): this runs inside nghttp2's reading (or just before it), which flushes after.
  nghttp2_session_terminate_session(
      session_, verdict == ClosedStreams::Verdict::StreamClosed ? NGHTTP2_STREAM_CLOSED : NGHTTP2_PROTOCOL_ERROR);
}

void Session::checkLateData(std::string_view bytes) {
  // DATA frames are looked at before nghttp2 reads them: it drops DATA on a stream it does not
  // know before any callback could see it. HEADERS are checked as nghttp2 begins them
  // (onBeginFrameCb), when the frames before them on this read have taken effect.
  inboundFrames_.scan(bytes, [this](uint8_t type, uint8_t, int32_t id) {
    if (type == NGHTTP2_DATA) lateFrame(type, id);
  });
}

int Session::onBeginFrameCb(nghttp2_session*, const nghttp2_frame_hd* hd, void* user) {
  if (hd->type == NGHTTP2_HEADERS) self(user)->lateFrame(hd->type, hd->stream_id);  // server role only
  return 0;
}

int Session::onFrameSendCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  if (frame->hd.type == NGHTTP2_RST_STREAM) self(user)->closed_.resetByUs(frame->hd.stream_id);
  return 0;
}

int Session::onFrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  Session* s = self(user);
  switch (frame->hd.type) {
    case NGHTTP2_HEADERS: {
      auto* stream = s->streamOf(frame->hd.stream_id);
      if (!stream) return 0;
      bool end = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
      if (s->role_ == Role::Client) {
        const char* why = nullptr;
        if (!stream->responseBroken && !stream->responseChecks.endBlock(end, &why)) s->responseBroke(*stream, why);
        if (stream->responseBroken) return 0;
      }
      stream->incoming.resize(stream->incomingCount);  // spare entries left over are freed
      sdk::HeaderList headers = std::move(stream->incoming);
      stream->incoming.clear();
      s->onHeaders(*stream, std::move(headers), end, stream->incomingTooLarge);
      return 0;
    }
    case NGHTTP2_DATA: {
      if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
      auto* stream = s->streamOf(frame->hd.stream_id);
      if (!stream || stream->inboundEnded) return 0;
      if (s->role_ == Role::Client) {
        const char* why = nullptr;
        if (!stream->responseBroken && !stream->responseChecks.end(&why)) s->responseBroke(*stream, why);
        if (stream->responseBroken) return 0;
      }
      stream->inboundEnded = true;
      s->onBodyEnded(*stream);
      return 0;
    }
    case NGHTTP2_GOAWAY:
      s->goAwayReceived_ = true;
      s->onGoAway();
      return 0;
    default:
      return 0;
  }
}

int Session::onDataChunkCb(nghttp2_session*, uint8_t, int32_t streamId, const uint8_t* data, size_t len,
                           void* user) {
  Session* s = self(user);
  auto n = static_cast<uint32_t>(len);
  // The connection window is refilled as data arrives: a paused stream holds only its own window.
  s->creditConnection(n);
  auto* stream = s->streamOf(streamId);
  if (!stream) return 0;
  if (s->role_ == Role::Client) {
    const char* why = nullptr;
    if (!stream->responseBroken && !stream->responseChecks.data(len, &why)) s->responseBroke(*stream, why);
    if (stream->responseBroken) return 0;
  }
  if (stream->sink && !stream->done) {
    stream->sink->onBody(std::string_view(reinterpret_cast<const char*>(data), len));
  }
  if (stream->inboundPaused && stream->sink && !stream->done) {
    stream->withheld += n;
  } else {
    s->credit(*stream, n);
  }
  return 0;
}

int Session::onStreamCloseCb(nghttp2_session*, int32_t streamId, uint32_t code, void* user) {
  Session* s = self(user);
  auto* stream = s->streamOf(streamId);
  if (streamId == s->lastStreamId_) s->lastStream_ = nullptr;
  if (!stream) return 0;
  // Its user data is not cleared: with no_closed_streams nghttp2 frees the stream right after
  // this call, so nothing can find it again (clearing it was one more stream-map search).
  stream->closed = true;
  s->onStreamClosed(*stream, code);
  return 0;
}

ssize_t Session::readOutboxCb(nghttp2_session* session, int32_t streamId, uint8_t* buf, size_t length,
                              uint32_t* flags, nghttp2_data_source* source, void* user) {
  Session* s = self(user);
  auto* stream = static_cast<Stream*>(source->ptr);
  std::size_t n = std::min(length, stream->pendingOutbound());
  if (n > 0) {
    std::memcpy(buf, stream->outbox.data() + stream->outboxOffset, n);
    stream->outboxOffset += n;
    if (stream->outboxOffset == stream->outbox.size()) {
      stream->outbox.clear();
      stream->outboxOffset = 0;
    }
  }
  if (stream->pendingOutbound() == 0) {
    if (stream->outboundEnded) {
      *flags |= NGHTTP2_DATA_FLAG_EOF;
      if (!stream->outboundTrailers.empty()) {
        *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
        HeaderBlock block;
        for (const auto& [k, v] : stream->outboundTrailers) block.add(k, v);
        block.markStable();  // outboundTrailers stays on the stream, unchanged, until it closes
        nghttp2_submit_trailer(session, streamId, block.data(), block.size());
      }
    } else if (n == 0) {
      stream->deferred = true;
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  if (stream->producerBlocked && stream->pendingOutbound() < kOutboxLow) s->drained_.push_back(stream);
  return static_cast<ssize_t>(n);
}

}  // namespace ferry::plugins::protocol::h2
