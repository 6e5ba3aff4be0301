#include "plugins/protocol/h2/headers.h"

#include <algorithm>

#include "plugins/common/http/connection_header.h"

namespace ferry::plugins::protocol::h2 {
namespace {

bool isLower(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/** Whether a field may be sent on HTTP/2 (`name` lower-case). `hasConnection`: `in` has a Connection header. */
bool regular(std::string_view name, std::string_view value, const sdk::HeaderList& in, bool hasConnection) {
  if (name.empty() || name[0] == ':') return false;
  switch (name.size()) {
    case 2:
      if (name == "te") return sdk::headerNameEquals(value, "trailers");
      break;
    case 4:
      if (name == "host") return false;
      break;
    case 7:
      if (name == "upgrade") return false;
      break;
    case 10:
      if (name == "connection" || name == "keep-alive") return false;
      break;
    case 16:
      if (name == "proxy-connection") return false;
      break;
    case 17:
      if (name == "transfer-encoding") return false;
      break;
    default:
      break;
  }
  return !hasConnection || !common::http::listedByConnection(in, name);
}

bool hasConnectionHeader(const sdk::HeaderList& in) {
  return std::any_of(in.begin(), in.end(), [](const auto& h) { return sdk::headerNameEquals(h.first, "connection"); });
}

}  // namespace

namespace {
thread_local std::vector<nghttp2_nv> tScratch;
thread_local bool tScratchTaken = false;
}  // namespace

HeaderBlock::HeaderBlock() {
  if (!tScratchTaken) {
    tScratchTaken = true;
    usesScratch_ = true;
    tScratch.clear();
    nv_ = &tScratch;
  } else {
    nv_ = &own_;
  }
}

HeaderBlock::~HeaderBlock() {
  if (usesScratch_) tScratchTaken = false;
}

void HeaderBlock::addStatus(int status) {
  // Three digits (RFC 9110 §15); anything else is clamped rather than overflowing the buffer.
  if (status < 100 || status > 999) status = 502;
  status_[0] = static_cast<char>('0' + status / 100);
  status_[1] = static_cast<char>('0' + status / 10 % 10);
  status_[2] = static_cast<char>('0' + status % 10);
  add(":status", std::string_view(status_, 3));
}

void HeaderBlock::add(std::string_view name, std::string_view value) {
  // l5d-reqid differs on every request: indexing it would only churn the peer's HPACK table.
  uint8_t flags = name == "l5d-reqid" ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
  nv_->push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                 reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), flags});
}

void HeaderBlock::addOwned(std::string name, std::string value) {
  owned_.push_front(std::move(name));
  const std::string& n = owned_.front();
  owned_.push_front(std::move(value));
  add(n, owned_.front());
}

void HeaderBlock::addRegular(const sdk::HeaderList& headers) {
  bool hasConnection = hasConnectionHeader(headers);
  for (const auto& [k, v] : headers) {
    if (isLower(k)) {
      if (regular(k, v, headers, hasConnection)) add(k, v);
    } else {
      std::string name = lower(k);
      if (regular(name, v, headers, hasConnection)) addOwned(std::move(name), v);
    }
  }
}

sdk::HeaderList regularFields(const sdk::HeaderList& in) {
  bool hasConnection = hasConnectionHeader(in);
  sdk::HeaderList out;
  out.reserve(in.size());
  for (const auto& [k, v] : in) {
    std::string name = isLower(k) ? k : lower(k);
    if (regular(name, v, in, hasConnection)) out.emplace_back(std::move(name), v);
  }
  return out;
}

sdk::HeaderList withoutPseudo(sdk::HeaderList&& received) {
  received.erase(std::remove_if(received.begin(), received.end(), [](const auto& h) { return !h.first.empty() && h.first[0] == ':'; }),
                 received.end());
  return std::move(received);
}

void requestBlock(const sdk::HttpRequestHead& head, const char* scheme, HeaderBlock& out) {
  std::string_view authority = head.host;
  if (authority.empty()) {
    if (auto h = head.header(":authority")) authority = *h;
    else if (auto host = head.header("host")) authority = *host;
  }
  out.add(":method", head.method);
  out.add(":scheme", scheme);
  if (!authority.empty()) out.add(":authority", authority);
  if (head.target.empty()) out.add(":path", "/");
  else out.add(":path", head.target);
  out.addRegular(head.headers);
}

void responseBlock(const sdk::HttpResponseHead& head, std::string_view via, HeaderBlock& out) {
  out.addStatus(head.status);
  out.addRegular(head.headers);
  if (!via.empty()) out.add("via", via);
}

std::string pseudo(const sdk::HeaderList& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace ferry::plugins::protocol::h2
