#include "plugins/protocol/h2/headers.h"

#include <algorithm>
#include <cstring>

#include "plugins/common/http/connection_header.h"
#include "plugins/protocol/h2/byte_checks.h"

namespace ferry::plugins::protocol::h2 {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/** Whether a field may be sent on HTTP/2 (`name` lower-case). `hasConnection`: `in` has a Connection header. */
inline bool regular(std::string_view name, std::string_view value, const sdk::HeaderList& in, bool hasConnection) {
  if (name.empty() || name[0] == ':') return false;
  if (common::http::connectionSpecific(name)) return false;
  if (name.size() == 2 && name == "te") return sdk::headerNameEquals(value, "trailers");
  if (name.size() == 4 && name == "host") return false;
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
  add(":status", std::string_view(status_, 3), kLiteralName);
}

void HeaderBlock::add(std::string_view name, std::string_view value, Literal literal) {
  // l5d-reqid differs on every request: indexing it would only churn the peer's HPACK table.
  uint8_t flags = name == "l5d-reqid" ? NGHTTP2_NV_FLAG_NO_INDEX : NGHTTP2_NV_FLAG_NONE;
  flags |= literal;
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
    if (bytes::isLower(k)) {
      if (regular(k, v, headers, hasConnection)) add(k, v);
    } else {
      std::string name = lower(k);
      if (regular(name, v, headers, hasConnection)) addOwned(std::move(name), v);
    }
  }
}

void HeaderBlock::copyInto(BlockBytes& storage) {
  std::size_t total = 0;
  for (const auto& nv : *nv_) {
    if (!(nv.flags & NGHTTP2_NV_FLAG_NO_COPY_NAME)) total += nv.namelen;
    if (!(nv.flags & NGHTTP2_NV_FLAG_NO_COPY_VALUE)) total += nv.valuelen;
  }
  if (total > storage.capacity) {
    storage.data = std::make_unique_for_overwrite<char[]>(total);
    storage.capacity = total;
  }
  char* at = storage.data.get();
  auto keep = [&at](uint8_t*& bytes, std::size_t len) {
    if (len == 0) return;  // nothing to keep (and `at` may be null: memcpy must not see it)
    std::memcpy(at, bytes, len);
    bytes = reinterpret_cast<uint8_t*>(at);
    at += len;
  };
  for (auto& nv : *nv_) {
    if (!(nv.flags & NGHTTP2_NV_FLAG_NO_COPY_NAME)) keep(nv.name, nv.namelen);
    if (!(nv.flags & NGHTTP2_NV_FLAG_NO_COPY_VALUE)) keep(nv.value, nv.valuelen);
  }
  markStable();
}

void HeaderBlock::markStable() {
  for (auto& nv : *nv_) nv.flags |= NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE;
}

sdk::HeaderList regularFields(const sdk::HeaderList& in) {
  bool hasConnection = hasConnectionHeader(in);
  sdk::HeaderList out;
  out.reserve(in.size());
  for (const auto& [k, v] : in) {
    std::string name = bytes::isLower(k) ? k : lower(k);
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
  out.add(":method", head.method, HeaderBlock::kLiteralName);
  out.add(":scheme", scheme, HeaderBlock::kLiteralNameAndValue);
  if (!authority.empty()) out.add(":authority", authority, HeaderBlock::kLiteralName);
  if (head.target.empty()) out.add(":path", "/", HeaderBlock::kLiteralNameAndValue);
  else out.add(":path", head.target, HeaderBlock::kLiteralName);
  out.addRegular(head.headers);
}

void responseBlock(const sdk::HttpResponseHead& head, std::string_view via, HeaderBlock& out) {
  out.addStatus(head.status);
  out.addRegular(head.headers);
  if (!via.empty()) out.add("via", via, HeaderBlock::kLiteralName);
}

void takeRequestPseudoHeaders(const sdk::HeaderList& fields, sdk::HttpRequestHead& head) {
  for (const auto& [k, v] : fields) {
    if (k.empty() || k[0] != ':') break;  // the regular fields follow the pseudo-headers
    switch (k.size()) {
      case 5:
        if (k == ":path") head.target = v;
        break;
      case 7:
        if (k == ":method") head.method = v;
        break;
      case 10:
        if (k == ":authority") head.host = v;
        break;
      default:
        break;
    }
  }
}

}  // namespace ferry::plugins::protocol::h2
