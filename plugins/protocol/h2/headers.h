#pragma once
// HTTP/2 header blocks from the SDK's heads, and back (RFC 9113 §8.2-8.3): names lower-cased,
// connection-specific fields dropped, pseudo-headers first. Built without copying the head's
// strings: nghttp2 copies a block when it is submitted.

#include <forward_list>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "ferry/sdk/http.h"

namespace ferry::plugins::protocol::h2 {

/**
 * A header block for one submit call: views into the head's strings, plus what had to be made.
 * Short-lived (nghttp2 copies a block when it is submitted), so its array is a per-thread scratch
 * vector reused from block to block: building a block allocates nothing in the common case.
 */
class HeaderBlock {
 public:
  HeaderBlock();
  ~HeaderBlock();
  HeaderBlock(const HeaderBlock&) = delete;
  HeaderBlock& operator=(const HeaderBlock&) = delete;

  /** `name` must be lower-case; both views must outlive the block. */
  void add(std::string_view name, std::string_view value);
  /** Adds a field whose strings the block keeps. */
  void addOwned(std::string name, std::string value);
  /** The regular fields of `headers` (see regularFields), views where the name is already lower-case. */
  void addRegular(const sdk::HeaderList& headers);
  /** A `:status` field, its digits kept in the block. */
  void addStatus(int status);
  const nghttp2_nv* data() const { return nv_->data(); }
  std::size_t size() const { return nv_->size(); }

 private:
  std::vector<nghttp2_nv>* nv_;    ///< the thread's scratch vector, or own_ when it is taken
  std::vector<nghttp2_nv> own_;
  bool usesScratch_ = false;
  char status_[4] = {};
  std::forward_list<std::string> owned_;  ///< stable addresses for the views in nv_ (rare)
};

/**
 * Regular fields of `in` fit for HTTP/2: lower-case names, no pseudo-headers, none of
 * Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade, Host or the fields that
 * Connection lists, and TE only as "trailers".
 */
sdk::HeaderList regularFields(const sdk::HeaderList& in);

/** Drops the pseudo-headers of a block nghttp2 received (it validated the rest). */
sdk::HeaderList withoutPseudo(sdk::HeaderList&& received);

/** :method, :scheme, :authority (head.host, else its Host header), :path, then the regular fields. */
void requestBlock(const sdk::HttpRequestHead& head, const char* scheme, HeaderBlock& out);
/** :status, the regular fields, then `via` when given (a view: it must outlive the block). */
void responseBlock(const sdk::HttpResponseHead& head, std::string_view via, HeaderBlock& out);

/** The value of a pseudo-header in a received block, or "". */
std::string pseudo(const sdk::HeaderList& fields, std::string_view name);

}  // namespace ferry::plugins::protocol::h2
