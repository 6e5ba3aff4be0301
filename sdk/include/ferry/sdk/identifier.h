#pragma once
// Identifier: names a request, `/svc/...` (Linkerd 1.x docs: identifiers).
//
//   routers:
//   - protocol: http
//     identifier:            # one block or a list tried in order
//       kind: io.l5d.path
//       segments: 2
//       consume: true

#include <memory>
#include <optional>
#include <string>

#include "ferry/sdk/host.h"
#include "ferry/sdk/http.h"
#include "ferry/sdk/path.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

struct Identification {
  /** Empty when the request is not identified; then `reason` says why (it reaches `l5d-err`). */
  std::optional<Path> name;
  std::string reason;
  /** Set when the identifier rewrites the request-target (io.l5d.path with `consume`). */
  std::optional<std::string> rewrittenTarget;

  static Identification identified(Path p) { return Identification{std::move(p), {}, std::nullopt}; }
  static Identification unidentified(std::string why) {
    return Identification{std::nullopt, std::move(why), std::nullopt};
  }
};

class Identifier {
 public:
  virtual ~Identifier() = default;
  /**
   * Names `request`; every name starts with the router's dstPrefix.
   * Thread: any worker, concurrently: implementations are immutable after create().
   */
  virtual Identification identify(const HttpRequestHead& request) const = 0;
};
using IdentifierPtr = std::unique_ptr<Identifier>;

struct IdentifierContext {
  Path dstPrefix;          ///< the router's dstPrefix (default /svc)
  std::string protocol;    ///< "http" or "h2": some kinds behave differently per protocol
  HostContext* host = nullptr;
};

class IdentifierFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kIdentifier; }
  /** Thread: main. */
  virtual Result<IdentifierPtr> create(const ConfigView& config, const IdentifierContext& context) const = 0;
};

}  // namespace ferry::sdk
