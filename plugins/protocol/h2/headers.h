#pragma once
// HTTP/2 header blocks from the SDK's heads, and back (RFC 9113 §8.2-8.3): names lower-cased,
// connection-specific fields dropped, pseudo-headers first. Built as views into the head's
// strings; before it is submitted its strings are either copied once into storage the stream
// keeps (copyInto) or known to live on the stream already (stable), so nghttp2 is told not to
// copy them (NGHTTP2_NV_FLAG_NO_COPY_*): its own copy also lower-cased every name again, about
// 1,600 instructions per proxied request (callgrind).

#include <forward_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "ferry/sdk/http.h"

namespace ferry::plugins::protocol::h2 {

/** Bytes a header block's strings are copied into (HeaderBlock::copyInto); its buffer is reused. */
struct BlockBytes {
  std::unique_ptr<char[]> data;
  std::size_t capacity = 0;
};

/**
 * A header block for one submit call: views into the head's strings, plus what had to be made.
 * Short-lived (nghttp2 copies the array when the block is submitted), so the array is a
 * per-thread scratch vector reused from block to block: building a block allocates nothing in the
 * common case.
 */
class HeaderBlock {
 public:
  HeaderBlock();
  ~HeaderBlock();
  HeaderBlock(const HeaderBlock&) = delete;
  HeaderBlock& operator=(const HeaderBlock&) = delete;

  /** Which parts of a field are string literals, which copyInto need not copy. */
  enum Literal : uint8_t {
    kNoLiteral = 0,
    kLiteralName = NGHTTP2_NV_FLAG_NO_COPY_NAME,
    kLiteralNameAndValue = NGHTTP2_NV_FLAG_NO_COPY_NAME | NGHTTP2_NV_FLAG_NO_COPY_VALUE,
  };
  /** `name` must be lower-case; both views must outlive the block. */
  void add(std::string_view name, std::string_view value, Literal literal = kNoLiteral);
  /** Adds a field whose strings the block keeps. */
  void addOwned(std::string name, std::string value);
  /** The regular fields of `headers` (see regularFields), views where the name is already lower-case. */
  void addRegular(const sdk::HeaderList& headers);
  /** A `:status` field, its digits kept in the block. */
  void addStatus(int status);
  /**
   * Copies every name and value into `storage` (its capacity reused) and points the block at the
   * copies, flagged NO_COPY: `storage` must stay unchanged until nghttp2 has written or dropped
   * the frame, that is until the stream closes.
   */
  void copyInto(BlockBytes& storage);
  /** Flags the fields NO_COPY as they are: their strings outlive the frame (see copyInto). */
  void markStable();
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

/**
 * :method, :scheme, :authority (head.host, else its Host header), :path, then the regular fields.
 * `scheme` must be a string literal.
 */
void requestBlock(const sdk::HttpRequestHead& head, const char* scheme, HeaderBlock& out);
/** :status, the regular fields, then `via` when given (a view: it must outlive the block). */
void responseBlock(const sdk::HttpResponseHead& head, std::string_view via, HeaderBlock& out);

/**
 * A received request block's :method, :path and :authority into `head` (method, target, host),
 * in one pass: nghttp2 has checked that pseudo-headers come first and appear once each.
 */
void takeRequestPseudoHeaders(const sdk::HeaderList& fields, sdk::HttpRequestHead& head);

}  // namespace ferry::plugins::protocol::h2
