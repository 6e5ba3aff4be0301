// The status-code classifiers of Linkerd's http and h2 routers (Linkerd 1.x docs: response
// classifiers), one .so:
//
//   service:
//     responseClassifier: {kind: io.l5d.http.retryableRead5XX}
//
// | kind (io.l5d.http.* and io.l5d.h2.*) | failures             | retryable failures          |
// | nonRetryable5XX (the default)        | 5XX, no response     | none                        |
// | retryableRead5XX                     | 5XX, no response     | GET HEAD OPTIONS TRACE      |
// | retryableIdempotent5XX               | 5XX, no response     | the above, PUT DELETE       |
// | retryableAll5XX                      | 5XX, no response     | every method                |
// | allSuccessful                        | none                 | none                        |
//
// Linkerd's wrapping rules for HTTP: a chunked request is never retryable, and a failure whose
// response says `l5d-retryable: true` is (it never reached the application).

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "ferry/sdk/response_classifier.h"

namespace ferry::plugins::response_classifier::http_status {
namespace {

enum class Retryable { None, Read, Idempotent, All };

class StatusClassifier final : public sdk::ResponseClassifier {
 public:
  StatusClassifier(Retryable retryable, bool allSuccessful, bool http1)
      : retryable_(retryable), allSuccessful_(allSuccessful), http1_(http1) {}

  sdk::ResponseClass classify(const sdk::HttpRequestHead& request, const sdk::HttpResponseHead* response,
                              const sdk::HeaderList*) const override {
    if (allSuccessful_) return sdk::ResponseClass::Success;
    if (response && response->status < 500) return sdk::ResponseClass::Success;
    if (http1_ && response) {
      auto flag = response->header("l5d-retryable");
      if (flag && sdk::headerNameEquals(*flag, "true")) return sdk::ResponseClass::RetryableFailure;
    }
    if (http1_ && request.header("transfer-encoding")) return sdk::ResponseClass::Failure;  // chunked: never retried
    return methodRetryable(request.method) ? sdk::ResponseClass::RetryableFailure : sdk::ResponseClass::Failure;
  }

 private:
  bool methodRetryable(std::string_view method) const {
    static constexpr std::array<std::string_view, 4> kRead = {"GET", "HEAD", "OPTIONS", "TRACE"};
    static constexpr std::array<std::string_view, 2> kIdempotent = {"PUT", "DELETE"};
    auto in = [&](const auto& set) { return std::find(set.begin(), set.end(), method) != set.end(); };
    switch (retryable_) {
      case Retryable::None: return false;
      case Retryable::Read: return in(kRead);
      case Retryable::Idempotent: return in(kRead) || in(kIdempotent);
      case Retryable::All: return true;
    }
    return false;
  }

  Retryable retryable_;
  bool allSuccessful_;
  bool http1_;
};

class Factory final : public sdk::ResponseClassifierFactory {
 public:
  Factory(const char* kind, Retryable retryable, bool allSuccessful, bool http1)
      : kind_(kind), retryable_(retryable), allSuccessful_(allSuccessful), http1_(http1) {}
  const char* kind() const override { return kind_; }
  sdk::Status validate(const sdk::ConfigView&) const override { return sdk::Status::ok(); }  // no keys
  sdk::Result<sdk::ResponseClassifierPtr> create(const sdk::ConfigView&, sdk::HostContext&) const override {
    return sdk::ResponseClassifierPtr(std::make_unique<StatusClassifier>(retryable_, allSuccessful_, http1_));
  }

 private:
  const char* kind_;
  Retryable retryable_;
  bool allSuccessful_;
  bool http1_;
};

const Factory kHttpNonRetryable("io.l5d.http.nonRetryable5XX", Retryable::None, false, true);
const Factory kHttpRead("io.l5d.http.retryableRead5XX", Retryable::Read, false, true);
const Factory kHttpIdempotent("io.l5d.http.retryableIdempotent5XX", Retryable::Idempotent, false, true);
const Factory kHttpAll("io.l5d.http.retryableAll5XX", Retryable::All, false, true);
const Factory kHttpAllSuccessful("io.l5d.http.allSuccessful", Retryable::None, true, true);
const Factory kH2NonRetryable("io.l5d.h2.nonRetryable5XX", Retryable::None, false, false);
const Factory kH2Read("io.l5d.h2.retryableRead5XX", Retryable::Read, false, false);
const Factory kH2Idempotent("io.l5d.h2.retryableIdempotent5XX", Retryable::Idempotent, false, false);
const Factory kH2All("io.l5d.h2.retryableAll5XX", Retryable::All, false, false);
const Factory kH2AllSuccessful("io.l5d.h2.allSuccessful", Retryable::None, true, false);

}  // namespace
}  // namespace ferry::plugins::response_classifier::http_status

namespace rc = ferry::plugins::response_classifier::http_status;
// Static registration of the ten status-code classifiers. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-response_classifier-http_status", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.http.nonRetryable5XX", rc::kHttpNonRetryable),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.http.retryableRead5XX", rc::kHttpRead),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.http.retryableIdempotent5XX", rc::kHttpIdempotent),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.http.retryableAll5XX", rc::kHttpAll),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.http.allSuccessful", rc::kHttpAllSuccessful),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.nonRetryable5XX", rc::kH2NonRetryable),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.retryableRead5XX", rc::kH2Read),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.retryableIdempotent5XX", rc::kH2Idempotent),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.retryableAll5XX", rc::kH2All),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.allSuccessful", rc::kH2AllSuccessful))
