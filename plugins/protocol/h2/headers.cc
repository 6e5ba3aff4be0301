#include "plugins/protocol/h2/headers.h"

#include <algorithm>

namespace ferry::plugins::protocol::h2 {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

/** Whether `name` is one of the comma-separated tokens of the Connection headers. */
bool listedByConnection(const sdk::HeaderList& in, std::string_view name) {
  for (const auto& [k, v] : in) {
    if (!sdk::headerNameEquals(k, "connection")) continue;
    std::size_t start = 0;
    while (start <= v.size()) {
      auto comma = v.find(',', start);
      std::string_view token = std::string_view(v).substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
      if (sdk::headerNameEquals(token, name)) return true;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return false;
}

}  // namespace

std::vector<nghttp2_nv> HeaderBlock::nv() const {
  std::vector<nghttp2_nv> out;
  out.reserve(fields.size());
  for (const auto& [k, v] : fields) {
    out.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(k.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(v.data())), k.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return out;
}

sdk::HeaderList regularFields(const sdk::HeaderList& in) {
  static const char* kConnectionSpecific[] = {"connection", "keep-alive", "proxy-connection", "transfer-encoding",
                                              "upgrade", "host"};
  sdk::HeaderList out;
  out.reserve(in.size());
  for (const auto& [k, v] : in) {
    if (k.empty() || k[0] == ':') continue;
    std::string name = lower(k);
    if (std::any_of(std::begin(kConnectionSpecific), std::end(kConnectionSpecific),
                    [&](const char* c) { return name == c; })) {
      continue;
    }
    if (name == "te" && !sdk::headerNameEquals(v, "trailers")) continue;
    if (listedByConnection(in, name)) continue;
    out.emplace_back(std::move(name), v);
  }
  return out;
}

HeaderBlock requestBlock(const sdk::HttpRequestHead& head, const char* scheme) {
  HeaderBlock b;
  std::string authority = head.host;
  if (authority.empty()) {
    if (auto h = head.header(":authority")) authority = std::string(*h);
    else if (auto host = head.header("host")) authority = std::string(*host);
  }
  b.fields.emplace_back(":method", head.method);
  b.fields.emplace_back(":scheme", scheme);
  if (!authority.empty()) b.fields.emplace_back(":authority", authority);
  b.fields.emplace_back(":path", head.target.empty() ? std::string("/") : head.target);
  auto rest = regularFields(head.headers);
  b.fields.insert(b.fields.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return b;
}

HeaderBlock responseBlock(const sdk::HttpResponseHead& head, const std::string& via) {
  HeaderBlock b;
  b.fields.emplace_back(":status", std::to_string(head.status));
  auto rest = regularFields(head.headers);
  b.fields.insert(b.fields.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  if (!via.empty()) b.fields.emplace_back("via", via);
  return b;
}

std::string pseudo(const sdk::HeaderList& fields, std::string_view name) {
  for (const auto& [k, v] : fields) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace ferry::plugins::protocol::h2
