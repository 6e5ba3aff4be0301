#include "core/http_client/response_parser.h"

#include <charconv>
#include <optional>

#include "ferry/sdk/http.h"

namespace ferry::core::http_client {
namespace {

bool isTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!isTokenChar(c)) return false;
  }
  return true;
}

/** A field value's bytes: visible characters, space, HTAB and obs-text; no other control byte. */
bool isFieldValue(std::string_view s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/** Decimal digits only, at most what fits in 63 bits. */
std::optional<uint64_t> parseLength(std::string_view s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/** The value of a Content-Length field: a number, or a list of the same number repeated. */
std::optional<uint64_t> parseContentLength(std::string_view value) {
  std::optional<uint64_t> result;
  while (true) {
    auto comma = value.find(',');
    auto item = parseLength(trimOws(value.substr(0, comma)));
    if (!item || (result && *result != *item)) return std::nullopt;
    result = item;
    if (comma == std::string_view::npos) return result;
    value.remove_prefix(comma + 1);
  }
}

/** Whether the last coding of a Transfer-Encoding value is chunked. */
bool endsWithChunked(std::string_view value) {
  auto comma = value.rfind(',');
  auto last = trimOws(comma == std::string_view::npos ? value : value.substr(comma + 1));
  return sdk::headerNameEquals(last, "chunked");
}

}  // namespace

ResponseParser::Status ResponseParser::fail(std::string why) {
  state_ = State::Error;
  error_ = std::move(why);
  pending_.clear();
  return Status::Failed;
}

ResponseParser::Status ResponseParser::feed(std::string_view bytes, ResponseSink& sink) {
  if (state_ == State::Error) return Status::Failed;
  if (state_ == State::Done) return Status::Complete;
  // Parse from the caller's bytes directly; only what an element left incomplete is copied, to
  // wait for the next read (a streaming body passes through without being buffered).
  std::string joined;
  std::string_view in = bytes;
  if (!pending_.empty()) {
    joined = std::move(pending_);
    joined.append(bytes);
    in = joined;
  }
  pending_.clear();
  Status s = Status::NeedMore;
  while (s == Status::NeedMore) {
    std::size_t before = in.size();
    s = step(in, sink);
    if (in.size() == before) break;  // nothing consumed: the element needs more bytes
  }
  if (s == Status::NeedMore) pending_.assign(in);
  return s;
}

ResponseParser::Status ResponseParser::finish() {
  switch (state_) {
    case State::Done:
      return Status::Complete;
    case State::UntilClose:
      state_ = State::Done;
      return Status::Complete;
    case State::Error:
      return Status::Failed;
    case State::Head:
      return fail("connection closed before the response head");
    default:
      return fail("connection closed before the response ended");
  }
}

ResponseParser::Status ResponseParser::step(std::string_view& in, ResponseSink& sink) {
  switch (state_) {
    case State::Head: {
      auto end = in.find("\r\n\r\n");
      if (end == std::string_view::npos) {
        if (in.size() > kMaxHead) return fail("response head larger than 64 KiB");
        return Status::NeedMore;
      }
      if (end + 4 > kMaxHead) return fail("response head larger than 64 KiB");
      auto head = in.substr(0, end + 2);
      in.remove_prefix(end + 4);
      return parseHead(head, sink);
    }
    case State::Length:
    case State::ChunkData: {
      if (in.empty()) return Status::NeedMore;
      std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
      auto data = in.substr(0, take);
      in.remove_prefix(take);
      remaining_ -= take;
      if (remaining_ == 0) state_ = state_ == State::Length ? State::Done : State::ChunkEnd;
      if (!sink.onData(data)) return Status::Stopped;
      return state_ == State::Done ? Status::Complete : Status::NeedMore;
    }
    case State::UntilClose: {
      if (in.empty()) return Status::NeedMore;
      auto data = in;
      in.remove_prefix(in.size());
      return sink.onData(data) ? Status::NeedMore : Status::Stopped;
    }
    case State::ChunkSize: {
      auto eol = in.find("\r\n");
      if (eol == std::string_view::npos) {
        if (in.size() > kMaxChunkLine) return fail("chunk-size line longer than 4 KiB");
        return Status::NeedMore;
      }
      auto line = in.substr(0, eol);
      auto digits = line.substr(0, line.find(';'));
      // Extensions may follow the size after optional whitespace (RFC 9112 §7.1.1 BWS).
      while (!digits.empty() && (digits.back() == ' ' || digits.back() == '\t')) digits.remove_suffix(1);
      uint64_t size = 0;
      auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      if (digits.empty() || digits.size() > 15 || ec != std::errc() || p != digits.data() + digits.size()) {
        return fail("bad chunk size '" + std::string(line.substr(0, 64)) + "'");
      }
      in.remove_prefix(eol + 2);
      remaining_ = size;
      state_ = size == 0 ? State::Trailers : State::ChunkData;
      return Status::NeedMore;
    }
    case State::ChunkEnd: {
      if (in.size() < 2) return Status::NeedMore;
      if (in.substr(0, 2) != "\r\n") return fail("missing CRLF after a chunk");
      in.remove_prefix(2);
      state_ = State::ChunkSize;
      return Status::NeedMore;
    }
    case State::Trailers: {
      auto eol = in.find("\r\n");
      if (eol == std::string_view::npos) {
        if (trailerBytes_ + in.size() > kMaxHead) return fail("trailers larger than 64 KiB");
        return Status::NeedMore;
      }
      trailerBytes_ += eol + 2;
      if (trailerBytes_ > kMaxHead) return fail("trailers larger than 64 KiB");
      auto line = in.substr(0, eol);
      if (!line.empty()) {
        auto colon = line.find(':');
        if (colon == std::string_view::npos || !isToken(line.substr(0, colon)) ||
            !isFieldValue(line.substr(colon + 1))) {
          return fail("malformed trailer field");
        }
      }
      in.remove_prefix(eol + 2);
      if (!line.empty()) return Status::NeedMore;
      state_ = State::Done;
      return Status::Complete;
    }
    case State::Done:
      return Status::Complete;
    case State::Error:
      return Status::Failed;
  }
  return Status::Failed;
}

ResponseParser::Status ResponseParser::parseHead(std::string_view head, ResponseSink& sink) {
  // Status line: HTTP/1.x SP 3DIGIT SP reason (the reason may be empty; its SP may be missing).
  auto eol = head.find("\r\n");
  auto line = head.substr(0, eol);
  auto shown = [&] { return std::string(line.substr(0, 64)); };
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ')) {
    return fail("malformed status line '" + shown() + "'");
  }
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return fail("malformed status line '" + shown() + "'");
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return fail("malformed status line '" + shown() + "'");
  if (!isFieldValue(line.substr(12))) return fail("malformed status line '" + shown() + "'");

  sdk::HeaderList headers;
  std::optional<uint64_t> length;
  bool chunked = false;
  bool transferEncoding = false;
  std::size_t pos = eol + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    auto field = head.substr(pos, next - pos);
    pos = next + 2;
    // A line folded onto the previous one (obs-fold) or whitespace before the colon is rejected
    // (RFC 9112 §5.1, §5.2): another parser could read the field differently.
    if (field.empty()) return fail("malformed header field (empty line)");
    if (field.front() == ' ' || field.front() == '\t') return fail("obsolete line folding in the header");
    auto colon = field.find(':');
    if (colon == std::string_view::npos) return fail("malformed header field (no colon)");
    auto name = field.substr(0, colon);
    if (!isToken(name)) return fail("malformed header field name '" + std::string(name.substr(0, 64)) + "'");
    auto value = trimOws(field.substr(colon + 1));
    if (!isFieldValue(value)) return fail("malformed value of header field '" + std::string(name) + "'");
    if (sdk::headerNameEquals(name, "content-length")) {
      auto v = parseContentLength(value);
      if (!v || (length && *length != *v)) return fail("bad Content-Length '" + std::string(value.substr(0, 64)) + "'");
      length = v;
    } else if (sdk::headerNameEquals(name, "transfer-encoding")) {
      transferEncoding = true;
      chunked = endsWithChunked(value);
    }
    headers.emplace_back(std::string(name), std::string(value));
  }

  if (status < 200) {
    if (status == 101) return fail("unexpected 101 Switching Protocols");
    return Status::NeedMore;  // an interim response: the final one follows
  }
  if (transferEncoding && length) return fail("both Transfer-Encoding and Content-Length");
  bool noBody = headRequest_ || status == 204 || status == 304;
  if (noBody) {
    state_ = State::Done;
  } else if (transferEncoding) {
    state_ = chunked ? State::ChunkSize : State::UntilClose;  // RFC 9112 §6.3 rule 4
  } else if (length) {
    remaining_ = *length;
    state_ = *length == 0 ? State::Done : State::Length;
  } else {
    state_ = State::UntilClose;
  }
  if (!sink.onHead(status, headers)) return Status::Stopped;
  return state_ == State::Done ? Status::Complete : Status::NeedMore;
}

}  // namespace ferry::core::http_client
