#pragma once
// Response classifier: success, failure or retryable failure (Linkerd 1.x docs: response classifiers).
//
//   service:
//     responseClassifier: {kind: io.l5d.http.retryableRead5XX}

#include <memory>

#include "ferry/sdk/host.h"
#include "ferry/sdk/http.h"
#include "ferry/sdk/plugin.h"

namespace ferry::sdk {

enum class ResponseClass { Success, Failure, RetryableFailure };

class ResponseClassifier {
 public:
  virtual ~ResponseClassifier() = default;
  /**
   * Classifies one exchange. `response` is null when no response arrived (connection error,
   * timeout); `trailers` is null when the response had none (gRPC puts its status there).
   * Thread: any worker, concurrently: implementations are immutable.
   */
  virtual ResponseClass classify(const HttpRequestHead& request, const HttpResponseHead* response,
                                 const HeaderList* trailers) const = 0;
  /**
   * Whether classify() needs the response's trailers. The core then classifies when the
   * response ends (keeping a copy of its head until then); otherwise as soon as the head
   * arrives, without copying it.
   */
  virtual bool needsTrailers() const { return false; }
};
using ResponseClassifierPtr = std::unique_ptr<ResponseClassifier>;

class ResponseClassifierFactory : public PluginFactory {
 public:
  const char* category() const override { return category::kResponseClassifier; }
  /** Thread: main. */
  virtual Result<ResponseClassifierPtr> create(const ConfigView& config, HostContext& host) const = 0;
};

}  // namespace ferry::sdk
