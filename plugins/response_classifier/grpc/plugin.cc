// The gRPC classifiers of Linkerd's h2 router (Linkerd 1.x docs: response classifiers), one .so. They read
// `grpc-status` from the trailers, or from the head of a trailers-only response.
//
//   service:
//     responseClassifier:
//       kind: io.l5d.h2.grpc.retryableStatusCodes
//       retryableStatusCodes: [14, 8]   # this kind only
//       successStatusCodes: [0]         # every kind; default [0]
//
// | kind                                 | retryable failures                                  |
// | io.l5d.h2.grpc.default               | UNAVAILABLE (14)                                    |
// | io.l5d.h2.grpc.compliant             | 14, and HTTP 429/502/503/504 without a grpc-status  |
// | io.l5d.h2.grpc.alwaysRetryable       | every failure                                       |
// | io.l5d.h2.grpc.neverRetryable        | none                                                |
// | io.l5d.h2.grpc.retryableStatusCodes  | the codes listed                                    |
// A status outside successStatusCodes is a failure; so is a response without any grpc-status
// and an exchange without a response.

#include <algorithm>
#include <string>
#include <vector>

#include "ferry/sdk/response_classifier.h"

namespace ferry::plugins::response_classifier::grpc {
namespace {

enum class Mode { Default, Compliant, Always, Never, Listed };

class GrpcClassifier final : public sdk::ResponseClassifier {
 public:
  GrpcClassifier(Mode mode, std::vector<int64_t> success, std::vector<int64_t> retryable)
      : mode_(mode), success_(std::move(success)), retryable_(std::move(retryable)) {}

  bool needsTrailers() const override { return true; }

  sdk::ResponseClass classify(const sdk::HttpRequestHead&, const sdk::HttpResponseHead* response,
                              const sdk::HeaderList* trailers) const override {
    std::optional<std::string_view> status;
    if (trailers) status = sdk::findHeader(*trailers, "grpc-status");
    if (!status && response) status = response->header("grpc-status");
    if (!status) {
      if (!response) return failure(mode_ == Mode::Always);
      int http = response->status;
      bool unavailable = http == 429 || http == 502 || http == 503 || http == 504;
      return failure(mode_ == Mode::Always || (mode_ == Mode::Compliant && unavailable));
    }
    int64_t code = -1;
    try {
      code = std::stoll(std::string(*status));
    } catch (...) {
      return failure(mode_ == Mode::Always);
    }
    if (std::find(success_.begin(), success_.end(), code) != success_.end()) return sdk::ResponseClass::Success;
    switch (mode_) {
      case Mode::Default:
      case Mode::Compliant: return failure(code == 14);
      case Mode::Always: return failure(true);
      case Mode::Never: return failure(false);
      case Mode::Listed: return failure(std::find(retryable_.begin(), retryable_.end(), code) != retryable_.end());
    }
    return failure(false);
  }

 private:
  static sdk::ResponseClass failure(bool retryable) {
    return retryable ? sdk::ResponseClass::RetryableFailure : sdk::ResponseClass::Failure;
  }

  Mode mode_;
  std::vector<int64_t> success_;
  std::vector<int64_t> retryable_;
};

/** A list of gRPC status codes (0..16). */
sdk::Result<std::vector<int64_t>> codes(const sdk::ConfigView& config, const char* key, std::vector<int64_t> fallback) {
  auto list = config.child(key);
  if (!list) return fallback;
  if (list->type() != sdk::ConfigView::Type::Sequence) {
    return sdk::Result<std::vector<int64_t>>::failure(list->location() + ": " + key + " must be a list of gRPC status codes");
  }
  std::vector<int64_t> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto v = list->at(i)->asInt();
    if (!v) return v.status();
    if (*v < 0 || *v > 16) {
      return sdk::Result<std::vector<int64_t>>::failure(list->at(i)->location() + ": " + std::to_string(*v) +
                                                        " is not a gRPC status code (0 to 16)");
    }
    out.push_back(*v);
  }
  return out;
}

class Factory final : public sdk::ResponseClassifierFactory {
 public:
  Factory(const char* kind, Mode mode) : kind_(kind), mode_(mode) {}
  const char* kind() const override { return kind_; }
  sdk::Status validate(const sdk::ConfigView& config) const override {
    auto made = build(config);
    return made ? sdk::Status::ok() : made.status();
  }
  sdk::Result<sdk::ResponseClassifierPtr> create(const sdk::ConfigView& config, sdk::HostContext&) const override {
    return build(config);
  }

 private:
  sdk::Result<sdk::ResponseClassifierPtr> build(const sdk::ConfigView& config) const {
    auto success = codes(config, "successStatusCodes", {0});
    if (!success) return success.status();
    std::vector<int64_t> retryable;
    if (mode_ == Mode::Listed) {
      if (!config.has("retryableStatusCodes")) return sdk::Result<sdk::ResponseClassifierPtr>::failure(config.missing("retryableStatusCodes"));
      auto listed = codes(config, "retryableStatusCodes", {});
      if (!listed) return listed.status();
      retryable = *listed;
    }
    return sdk::ResponseClassifierPtr(std::make_unique<GrpcClassifier>(mode_, *success, retryable));
  }

  const char* kind_;
  Mode mode_;
};

const Factory kDefault("io.l5d.h2.grpc.default", Mode::Default);
const Factory kCompliant("io.l5d.h2.grpc.compliant", Mode::Compliant);
const Factory kAlways("io.l5d.h2.grpc.alwaysRetryable", Mode::Always);
const Factory kNever("io.l5d.h2.grpc.neverRetryable", Mode::Never);
const Factory kListed("io.l5d.h2.grpc.retryableStatusCodes", Mode::Listed);

}  // namespace
}  // namespace ferry::plugins::response_classifier::grpc

namespace rcg = ferry::plugins::response_classifier::grpc;
// Static registration of the five gRPC classifiers. @see FERRY_PLUGIN_MANIFEST
FERRY_PLUGIN_MANIFEST("ferry-response_classifier-grpc", "0.1.0",
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.grpc.default", rcg::kDefault),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.grpc.compliant", rcg::kCompliant),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.grpc.alwaysRetryable", rcg::kAlways),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.grpc.neverRetryable", rcg::kNever),
                      FERRY_PLUGIN_ENTRY(ferry::sdk::category::kResponseClassifier, "io.l5d.h2.grpc.retryableStatusCodes", rcg::kListed))
