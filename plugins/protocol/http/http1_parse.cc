#include "plugins/protocol/http/http1_parse.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>

#include "plugins/common/http/connection_header.h"

namespace ferry::plugins::protocol::http {
namespace {

/** Character classes, looked up once per byte: bit 1 tchar (RFC 9110 token), bit 2 field-value. */
struct CharTable {
  unsigned char bits[256] = {};
  constexpr CharTable() {
    for (int c = 0; c < 256; ++c) {
      bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      bool tchar = alnum || c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
                   c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~';
      // field-value: visible characters, obs-text, SP and HTAB; no other control characters.
      bool value = c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
      bits[c] = static_cast<unsigned char>((tchar ? 1 : 0) | (value ? 2 : 0));
    }
  }
};
constexpr CharTable kChars;


bool isToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(kChars.bits[static_cast<unsigned char>(c)] & 1)) return false;
  }
  return true;
}

bool isFieldValue(std::string_view s) {
  for (char c : s) {
    if (!(kChars.bits[static_cast<unsigned char>(c)] & 2)) return false;
  }
  return true;
}

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

ParseError err(int status, std::string message) { return ParseError{status, std::move(message)}; }

/** Parses header field lines from `lines` (each ending in CRLF, the blank line excluded). */
bool parseFields(std::string_view lines, sdk::HeaderList* out, ParseError* error) {
  // One allocation for the list, with room for the headers a router adds (l5d-dst-service,
  // l5d-dst-client, l5d-reqid, Via and one more), instead of a reallocation and a move of every
  // header at each doubling. Small heads stay under 16 fields (1 KiB), below glibc's
  // large-request size, which would make each head consolidate the allocator's fast bins.
  constexpr std::size_t kRoomForRouterHeaders = 5;
  out->reserve(out->size() + static_cast<std::size_t>(std::count(lines.begin(), lines.end(), '\n')) +
               kRoomForRouterHeaders);
  while (!lines.empty()) {
    auto eol = lines.find("\r\n");
    std::string_view line = lines.substr(0, eol);
    lines.remove_prefix(eol + 2);
    if (line.front() == ' ' || line.front() == '\t') {
      *error = err(400, "obsolete line folding is not allowed");
      return false;
    }
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      *error = err(400, "header line without ':'");
      return false;
    }
    std::string_view name = line.substr(0, colon);
    if (!isToken(name)) {
      *error = err(400, name.empty() || name.back() == ' ' || name.back() == '\t'
                            ? "whitespace between header name and ':'"
                            : "invalid header name '" + std::string(name) + "'");
      return false;
    }
    std::string_view value = trimOws(line.substr(colon + 1));
    if (!isFieldValue(value)) {
      *error = err(400, "invalid character in the value of header '" + std::string(name) + "'");
      return false;
    }
    out->emplace_back(std::string(name), std::string(value));
  }
  return true;
}

bool parseLength(std::string_view v, uint64_t* out) {
  if (v.empty() || v.size() > 19) return false;
  for (char c : v) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), *out);
  return ec == std::errc() && p == v.data() + v.size();
}

/** Content-Length values (possibly comma-lists, possibly repeated) must all agree. */
bool contentLength(const sdk::HeaderList& headers, std::optional<uint64_t>* out, ParseError* error) {
  for (const auto& [k, v] : headers) {
    if (!sdk::headerNameEquals(k, "content-length")) continue;
    std::string_view rest = v;
    while (true) {
      auto comma = rest.find(',');
      uint64_t n = 0;
      if (!parseLength(trimOws(rest.substr(0, comma)), &n)) {
        *error = err(400, "invalid Content-Length '" + v + "'");
        return false;
      }
      if (out->has_value() && **out != n) {
        *error = err(400, "conflicting Content-Length values");
        return false;
      }
      *out = n;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return true;
}

/** Transfer-Encoding: returns whether present; `chunkedLast` whether chunked is the final coding. */
bool transferEncoding(const sdk::HeaderList& headers, bool* chunkedLast, std::string* codings) {
  bool present = false;
  std::string all;
  for (const auto& [k, v] : headers) {
    if (!sdk::headerNameEquals(k, "transfer-encoding")) continue;
    present = true;
    all += (all.empty() ? "" : ",") + v;
  }
  *codings = lower(all);
  std::string last = *codings;
  auto comma = last.rfind(',');
  if (comma != std::string::npos) last = last.substr(comma + 1);
  *chunkedLast = trimOws(last) == "chunked";
  return present;
}

}  // namespace

std::size_t findHeadEnd(std::string_view buffer, const HeadLimits& limits, ParseError* error) {
  // Scan line by line so a bare LF is caught wherever it is.
  std::size_t pos = 0;
  bool first = true;
  while (true) {
    auto lf = buffer.find('\n', pos);
    std::size_t limit = first ? limits.maxInitialLine : limits.maxInitialLine + limits.maxHeaders;
    if (lf == std::string_view::npos) {
      if (buffer.size() > limit) {
        *error = first ? err(414, "request line longer than " + std::to_string(limits.maxInitialLine) + " bytes")
                       : err(431, "headers larger than " + std::to_string(limits.maxHeaders) + " bytes");
        return static_cast<std::size_t>(-1);
      }
      return 0;
    }
    if (lf == 0 || buffer[lf - 1] != '\r') {
      *error = err(400, "bare LF in message head");
      return static_cast<std::size_t>(-1);
    }
    if (lf + 1 > limit) {
      *error = first ? err(414, "request line longer than " + std::to_string(limits.maxInitialLine) + " bytes")
                     : err(431, "headers larger than " + std::to_string(limits.maxHeaders) + " bytes");
      return static_cast<std::size_t>(-1);
    }
    if (!first && lf == pos + 1) return lf + 1;  // the blank line
    first = false;
    pos = lf + 1;
  }
}

bool parseRequestHead(std::string_view head, const HeadLimits& limits, sdk::HttpRequestHead* out, ParseError* error) {
  auto eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (line.size() > limits.maxInitialLine) {
    *error = err(414, "request line too long");
    return false;
  }
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    *error = err(400, "malformed request line");
    return false;
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!isToken(method)) {
    *error = err(400, "invalid method");
    return false;
  }
  if (target.empty() || std::any_of(target.begin(), target.end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
    *error = err(400, "invalid request target");
    return false;
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' || version[5] < '0' ||
      version[5] > '9' || version[7] < '0' || version[7] > '9') {
    *error = err(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1' || (version[7] != '0' && version[7] != '1')) {
    *error = err(505, "HTTP version " + std::string(version) + " is not supported");
    return false;
  }
  out->method = std::string(method);
  out->target = std::string(target);
  out->versionMajor = 1;
  out->versionMinor = version[7] - '0';
  out->headers.clear();
  std::string_view fields = head.substr(eol + 2);
  fields.remove_suffix(2);  // the blank line
  if (!parseFields(fields, &out->headers, error)) return false;

  // Absolute form (proxy requests): the authority becomes Host, the target becomes origin form.
  if (target.front() != '/' && target != "*" && out->method != "CONNECT") {
    auto scheme = target.find("://");
    if (scheme == std::string_view::npos || scheme == 0) {
      *error = err(400, "invalid request target");
      return false;
    }
    auto rest = target.substr(scheme + 3);
    auto slash = rest.find_first_of("/?");
    std::string authority(rest.substr(0, slash));
    if (authority.empty() || authority.find('@') != std::string::npos) {
      *error = err(400, "invalid authority in request target");
      return false;
    }
    std::string origin = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (origin.front() == '?') origin = "/" + origin;
    out->target = origin;
    out->headers.erase(std::remove_if(out->headers.begin(), out->headers.end(),
                                      [](const auto& h) { return sdk::headerNameEquals(h.first, "host"); }),
                       out->headers.end());
    out->headers.emplace_back("Host", authority);
  }
  auto host = out->header("Host");
  std::size_t hosts = std::count_if(out->headers.begin(), out->headers.end(),
                                    [](const auto& h) { return sdk::headerNameEquals(h.first, "host"); });
  if (hosts > 1) {
    *error = err(400, "more than one Host header");
    return false;
  }
  if (out->versionMinor == 1 && !host) {
    *error = err(400, "HTTP/1.1 request without a Host header");
    return false;
  }
  out->host = host ? std::string(*host) : std::string();
  return true;
}

bool parseResponseHead(std::string_view head, sdk::HttpResponseHead* out, int* minorVersion, ParseError* error) {
  auto eol = head.find("\r\n");
  std::string_view line = head.substr(0, eol);
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || (line[7] != '0' && line[7] != '1') || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ')) {
    *error = err(502, "malformed status line from upstream");
    return false;
  }
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (line[static_cast<std::size_t>(i)] < '0' || line[static_cast<std::size_t>(i)] > '9') {
      *error = err(502, "malformed status code from upstream");
      return false;
    }
    status = status * 10 + (line[static_cast<std::size_t>(i)] - '0');
  }
  if (status < 100) {
    *error = err(502, "malformed status code from upstream");
    return false;
  }
  *minorVersion = line[7] - '0';
  out->status = status;
  out->headers.clear();
  std::string_view fields = head.substr(eol + 2);
  fields.remove_suffix(2);
  if (!parseFields(fields, &out->headers, error)) {
    error->status = 502;
    error->message = "upstream response: " + error->message;
    return false;
  }
  return true;
}

bool requestFraming(const sdk::HeaderList& headers, Framing* out, ParseError* error) {
  bool chunkedLast = false;
  std::string codings;
  bool te = transferEncoding(headers, &chunkedLast, &codings);
  std::optional<uint64_t> length;
  if (!contentLength(headers, &length, error)) return false;
  if (te && length) {
    *error = err(400, "both Transfer-Encoding and Content-Length");
    return false;
  }
  if (te) {
    if (codings != "chunked") {
      *error = chunkedLast ? err(501, "Transfer-Encoding '" + codings + "' is not supported")
                           : err(400, "Transfer-Encoding must end with chunked");
      return false;
    }
    *out = Framing{Framing::Kind::Chunked, 0};
    return true;
  }
  if (length && *length > 0) {
    *out = Framing{Framing::Kind::Length, *length};
  } else {
    *out = Framing{Framing::Kind::None, 0};
  }
  return true;
}

bool responseFraming(const sdk::HeaderList& headers, std::string_view requestMethod, int status, Framing* out,
                     ParseError* error) {
  if (requestMethod == "HEAD" || status == 204 || status == 304 || (status >= 100 && status < 200)) {
    *out = Framing{Framing::Kind::None, 0};
    return true;
  }
  bool chunkedLast = false;
  std::string codings;
  bool te = transferEncoding(headers, &chunkedLast, &codings);
  std::optional<uint64_t> length;
  if (!contentLength(headers, &length, error)) {
    error->status = 502;
    return false;
  }
  if (te) {
    if (length) {
      *error = err(502, "upstream sent both Transfer-Encoding and Content-Length");
      return false;
    }
    if (codings == "chunked") {
      *out = Framing{Framing::Kind::Chunked, 0};
    } else if (!chunkedLast) {
      *out = Framing{Framing::Kind::UntilClose, 0};  // RFC 9112 §6.3: read until close
    } else {
      *error = err(502, "upstream Transfer-Encoding '" + codings + "' is not supported");
      return false;
    }
    return true;
  }
  if (length) {
    *out = *length ? Framing{Framing::Kind::Length, *length} : Framing{Framing::Kind::None, 0};
    return true;
  }
  *out = Framing{Framing::Kind::UntilClose, 0};
  return true;
}

/** All of a chunked body's trailer lines together (the limit a head's fields have by default). */
constexpr std::size_t kMaxTrailerBytes = 8192;

long BodyDecoder::feed(std::string_view in, std::string* out, ParseError* error) {
  std::size_t used = 0;
  switch (framing_.kind) {
    case Framing::Kind::None:
      done_ = true;
      return 0;
    case Framing::Kind::UntilClose:
      out->append(in);
      return static_cast<long>(in.size());
    case Framing::Kind::Length: {
      std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, in.size()));
      out->append(in.substr(0, take));
      remaining_ -= take;
      if (remaining_ == 0) done_ = true;
      return static_cast<long>(take);
    }
    case Framing::Kind::Chunked:
      break;
  }
  while (!done_ && used < in.size()) {
    std::string_view rest = in.substr(used);
    if (state_ == State::Size) {
      auto eol = rest.find("\r\n");
      if (eol == std::string_view::npos) {
        if (rest.size() > 1024 || rest.find('\n') != std::string_view::npos) {
          *error = err(400, "bad chunk size line");
          return -1;
        }
        break;
      }
      std::string_view line = rest.substr(0, eol);
      std::string_view digits = line.substr(0, line.find(';'));
      uint64_t size = 0;
      if (digits.empty() || digits.size() > 15 ||
          !std::all_of(digits.begin(), digits.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); })) {
        *error = err(400, "bad chunk size");
        return -1;
      }
      std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
      used += eol + 2;
      remaining_ = size;
      state_ = size == 0 ? State::Trailers : State::Data;
    } else if (state_ == State::Data) {
      std::size_t take = static_cast<std::size_t>(std::min<uint64_t>(remaining_, rest.size()));
      out->append(rest.substr(0, take));
      used += take;
      remaining_ -= take;
      if (remaining_ == 0) state_ = State::DataCrlf;
    } else if (state_ == State::DataCrlf) {
      if (rest.size() < 2) break;
      if (rest.substr(0, 2) != "\r\n") {
        *error = err(400, "missing CRLF after chunk data");
        return -1;
      }
      used += 2;
      state_ = State::Size;
    } else {  // Trailers: header lines until a blank line
      auto eol = rest.find("\r\n");
      if (eol == std::string_view::npos) {
        if (trailerBytes_ + rest.size() > kMaxTrailerBytes) {
          *error = err(431, "trailers too large");
          return -1;
        }
        break;
      }
      if (eol == 0) {
        used += 2;
        done_ = true;
        break;
      }
      // Each line is bounded above, and so are all of them together: a peer that sends trailer
      // lines forever must not be stored forever.
      trailerBytes_ += eol + 2;
      if (trailerBytes_ > kMaxTrailerBytes) {
        *error = err(431, "trailers too large");
        return -1;
      }
      std::string line(rest.substr(0, eol + 2));
      if (!parseFields(line, &trailers_, error)) return -1;
      used += eol + 2;
    }
  }
  return static_cast<long>(used);
}

bool BodyDecoder::finishAtClose() {
  if (framing_.kind == Framing::Kind::UntilClose) {
    done_ = true;
    return true;
  }
  return done_;
}

bool isHopByHop(std::string_view name) {
  // Filter on length first: almost every header is rejected without a comparison.
  switch (name.size()) {
    case 2: return sdk::headerNameEquals(name, "te");
    case 7: return sdk::headerNameEquals(name, "trailer") || sdk::headerNameEquals(name, "upgrade");
    case 10: return sdk::headerNameEquals(name, "connection") || sdk::headerNameEquals(name, "keep-alive");
    case 16: return sdk::headerNameEquals(name, "proxy-connection");
    case 17: return sdk::headerNameEquals(name, "transfer-encoding");
    case 18: return sdk::headerNameEquals(name, "proxy-authenticate");
    case 19: return sdk::headerNameEquals(name, "proxy-authorization");
    default: return false;
  }
}

void stripHopByHop(sdk::HeaderList& headers) {
  // Most messages carry at most Connection: find out without allocating.
  bool any = false, connection = false;
  for (const auto& h : headers) {
    if (!isHopByHop(h.first)) continue;
    any = true;
    connection = connection || (h.first.size() == 10 && sdk::headerNameEquals(h.first, "connection"));
  }
  if (!any) return;
  // Decide for every header before moving any (the names Connection lists are read from its
  // value), in a bit mask, or a vector for more than 64 headers.
  const std::size_t n = headers.size();
  std::uint64_t mask = 0;
  std::vector<bool> many(n > 64 ? n : 0);
  for (std::size_t i = 0; i < n; ++i) {
    bool drop = isHopByHop(headers[i].first) || (connection && common::http::listedByConnection(headers, headers[i].first));
    if (n > 64) {
      many[i] = drop;
    } else if (drop) {
      mask |= std::uint64_t{1} << i;
    }
  }
  std::size_t w = 0;
  for (std::size_t i = 0; i < n; ++i) {
    bool drop = n > 64 ? static_cast<bool>(many[i]) : ((mask >> i) & 1) != 0;
    if (!drop) {
      if (w != i) headers[w] = std::move(headers[i]);
      ++w;
    }
  }
  headers.resize(w);
}

std::string chunk(std::string_view data) {
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string out;
  out.reserve(static_cast<std::size_t>(n) + data.size() + 2);
  out.append(size, static_cast<std::size_t>(n)).append(data).append("\r\n", 2);
  return out;
}

std::string lastChunk(const sdk::HeaderList& trailers) {
  sdk::HeaderList t = trailers;
  stripHopByHop(t);
  std::string out = "0\r\n";
  appendFields(out, t);
  out.append("\r\n", 2);
  return out;
}

void appendFields(std::string& out, const sdk::HeaderList& headers) {
  for (const auto& [k, v] : headers) {
    out.append(k).append(": ", 2).append(v).append("\r\n", 2);
  }
}

bool wantsClose(const sdk::HeaderList& headers, int minorVersion) {
  bool close = minorVersion == 0;
  for (const auto& [k, v] : headers) {
    if (!sdk::headerNameEquals(k, "connection")) continue;
    std::string l = lower(v);
    if (l.find("close") != std::string::npos) return true;
    if (l.find("keep-alive") != std::string::npos) close = false;
  }
  return close;
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

}  // namespace ferry::plugins::protocol::http
