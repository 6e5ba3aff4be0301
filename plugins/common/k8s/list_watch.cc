#include "plugins/common/k8s/list_watch.h"

#include <fstream>

#include "ferry/sdk/json.h"

namespace ferry::plugins::kube {
namespace {

/** Bounds on what is held while reading: a list of 100,000 endpoints is about 40 MiB. */
constexpr std::size_t kMaxList = 256u << 20;
constexpr std::size_t kMaxLine = 16u << 20;
/** How long past its timeoutSeconds a watch may stay silent before it counts as hung. */
constexpr std::chrono::seconds kWatchMargin{15};
/** A watch the server ends sooner than this, with nothing in it, counts as a failure. */
constexpr std::chrono::seconds kShortestWatch{1};

std::string epochMs(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "null";
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

/** Forwards one call's callbacks while attached. */
class ListWatch::Handler final : public sdk::HttpResponseHandler {
 public:
  explicit Handler(ListWatch* owner) : owner_(owner) {}
  void detach() { owner_ = nullptr; }
  void onHead(int status, const sdk::HeaderList&) override {
    if (owner_) owner_->onHead(status);
  }
  void onData(std::string_view chunk) override {
    if (owner_) owner_->onData(chunk);
  }
  void onComplete() override {
    if (owner_) owner_->onComplete();
  }
  void onError(const std::string& why) override {
    if (owner_) owner_->onError(why);
  }

 private:
  ListWatch* owner_;
};

ListWatch::ListWatch(sdk::HostContext& host, const ApiEndpoint& api, Hooks hooks)
    : host_(host), api_(api), hooks_(std::move(hooks)) {}

ListWatch::~ListWatch() {
  *alive_ = false;
  if (handler_) handler_->detach();
}

void ListWatch::abortCall() {
  // The handler may be the one calling us (a line that asked for a relist): it is kept until
  // the next call, so it is not destroyed under its own feet.
  if (handler_) handler_->detach();
  retired_ = std::move(handler_);
  call_.reset();
}

void ListWatch::send(std::string target, std::chrono::milliseconds idleTimeout) {
  retryTimer_.reset();
  abortCall();
  status_ = 0;
  body_.clear();
  sdk::HttpClientRequest request;
  request.host = api_.host;
  request.port = api_.port;
  request.target = std::move(target);
  request.headers.emplace_back("Accept", "application/json");
  request.tls = api_.tls;
  if (!api_.tokenFile.empty()) {
    std::ifstream in(api_.tokenFile);
    std::string token;
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (!in && token.empty()) {
      // Not sent without its token: the API would only refuse it. Retried like any failure.
      state_.lastTarget = request.target;
      return fail("cannot read the token file " + api_.tokenFile);
    }
    request.headers.emplace_back("Authorization", "Bearer " + token);
  }
  request.headTimeout = std::chrono::milliseconds(10'000);
  request.idleTimeout = idleTimeout;
  state_.lastTarget = request.target;
  handler_ = std::make_shared<Handler>(this);
  call_ = host_.httpClient().send(std::move(request), handler_);
}

void ListWatch::list() {
  phase_ = Phase::Listing;
  send(hooks_.listTarget(), std::chrono::milliseconds(10'000));
}

void ListWatch::watch() {
  phase_ = Phase::Watching;
  watchStartedAt_ = std::chrono::steady_clock::now();
  eventsThisWatch_ = 0;
  auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::seconds(api_.watchSeconds) +
                                                                    kWatchMargin);
  send(hooks_.watchTarget(state_.resourceVersion), idle);
}

void ListWatch::onHead(int status) {
  status_ = status;
  if (phase_ == Phase::Watching && status == 410) relist();  // Gone: the version is too old
}

void ListWatch::onData(std::string_view chunk) {
  if (phase_ == Phase::Listing || status_ != 200) {
    if (body_.size() + chunk.size() > kMaxList) return fail("the answer exceeds 256 MiB");
    body_.append(chunk);
    return;
  }
  body_.append(chunk);
  std::weak_ptr<bool> alive = alive_;
  std::size_t start = 0;
  for (std::size_t nl; (nl = body_.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string_view line(body_.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    LineOutcome outcome = hooks_.onLine(line);
    if (!alive.lock()) return;
    switch (outcome.kind) {
      case LineOutcome::Kind::Applied:
        state_.events++;
        eventsThisWatch_++;
        state_.lastEventAt = std::chrono::system_clock::now();
        if (!outcome.resourceVersion.empty()) state_.resourceVersion = outcome.resourceVersion;
        break;
      case LineOutcome::Kind::Expired:
        return relist();
      case LineOutcome::Kind::Refused:
        return fail("watch event: " + outcome.error);
    }
  }
  body_.erase(0, start);
  if (body_.size() > kMaxLine) fail("a watch line longer than 16 MiB");
}

void ListWatch::onComplete() {
  if (phase_ == Phase::Listing) {
    if (status_ != 200) return fail(httpError());
    std::weak_ptr<bool> alive = alive_;
    auto [version, error] = hooks_.onList(body_);
    if (!alive.lock()) return;
    body_.clear();
    body_.shrink_to_fit();  // a list may be large; a watch only holds a line
    if (!error.empty()) return fail(error);
    state_.resourceVersion = version;
    state_.lists++;
    state_.lastListAt = std::chrono::system_clock::now();
    state_.lastError.clear();
    backoff_.reset();
    return watch();
  }
  if (status_ == 410) return relist();
  if (status_ != 200) return fail(httpError());
  // The server ended the watch (its timeoutSeconds): go on from the last version seen. One
  // that ends at once with nothing in it is not a watch (a proxy that closes it): back off.
  if (eventsThisWatch_ == 0 && std::chrono::steady_clock::now() - watchStartedAt_ < kShortestWatch) {
    return fail("the watch ended as soon as it began");
  }
  state_.watches++;
  watch();
}

void ListWatch::onError(const std::string& why) { fail(why); }

std::string ListWatch::httpError() const {
  std::string text = body_.substr(0, 300);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return "HTTP " + std::to_string(status_) + (text.empty() ? "" : ": " + text);
}

void ListWatch::relist() {
  state_.expired++;
  if (relists_) relists_->incr();
  abortCall();
  list();
}

void ListWatch::fail(const std::string& why) {
  abortCall();
  state_.failures++;
  state_.lastError = why;
  retryTimer_ = host_.mainDispatcher().schedule(backoff_.next(), [this] { list(); });
  hooks_.onFailure(why);  // last: the owner may drop this watch from inside it
}

std::string ListWatch::stateJson() const {
  return "{\"resourceVersion\":" + sdk::jsonQuote(state_.resourceVersion) + ",\"lists\":" +
         std::to_string(state_.lists) + ",\"watches\":" + std::to_string(state_.watches) +
         ",\"events\":" + std::to_string(state_.events) + ",\"expired\":" + std::to_string(state_.expired) +
         ",\"failures\":" + std::to_string(state_.failures) + ",\"lastRequest\":" + sdk::jsonQuote(state_.lastTarget) +
         ",\"lastListAtMs\":" + epochMs(state_.lastListAt) + ",\"lastEventAtMs\":" + epochMs(state_.lastEventAt) +
         ",\"lastError\":" + (state_.lastError.empty() ? std::string("null") : sdk::jsonQuote(state_.lastError)) + "}";
}

}  // namespace ferry::plugins::kube
