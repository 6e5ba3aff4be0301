#include "plugins/namer/consul/blocking_query.h"

#include <algorithm>
#include <charconv>

#include "ferry/sdk/http.h"
#include "ferry/sdk/json.h"

namespace ferry::plugins::namer::consul {
namespace {

/** Answers larger than this are refused rather than held (a catalog of 100,000 instances is
 *  about 30 MiB of health JSON). */
/** How long past its `wait` an answer may take before the call counts as hung. */
constexpr std::chrono::milliseconds kAnswerMargin{5000};
constexpr std::size_t kMaxBody = 256u << 20;

std::string isoTime(std::chrono::system_clock::time_point t) {
  if (t.time_since_epoch().count() == 0) return "null";
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return std::to_string(ms);
}

}  // namespace

/** Collects one response; reports to the query unless the query dropped it first. */
class BlockingQuery::Handler final : public sdk::HttpResponseHandler {
 public:
  explicit Handler(BlockingQuery* query) : query_(query) {}
  void detach() { query_ = nullptr; }

  void onHead(int status, const sdk::HeaderList& headers) override {
    status_ = status;
    for (const auto& [k, v] : headers) {
      if (!sdk::headerNameEquals(k, "x-consul-index")) continue;
      uint64_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec == std::errc() && end == v.data() + v.size()) {
        index_ = n;
        hasIndex_ = true;
      }
    }
  }
  void onData(std::string_view chunk) override {
    if (tooLarge_) return;
    if (body_.size() + chunk.size() > kMaxBody) {
      tooLarge_ = true;
      body_.clear();
      body_.shrink_to_fit();
      return;
    }
    body_.append(chunk);
  }
  void onComplete() override {
    if (!query_) return;
    if (tooLarge_) {
      return query_->failed({status_, "the answer exceeds " + std::to_string(kMaxBody >> 20) + " MiB"});
    }
    query_->answered(status_, index_, hasIndex_, body_);
  }
  void onError(const std::string& reason) override {
    if (query_) query_->failed({0, reason});
  }

 private:
  BlockingQuery* query_;
  int status_ = 0;
  uint64_t index_ = 0;
  bool hasIndex_ = false;
  bool tooLarge_ = false;
  std::string body_;
};

BlockingQuery::BlockingQuery(AgentLink& agent, Target target, OnAnswer onAnswer, OnFailure onFailure, bool blocking)
    : agent_(agent),
      id_(agent.newQueryId()),
      target_(std::move(target)),
      onAnswer_(std::move(onAnswer)),
      onFailure_(std::move(onFailure)),
      blocking_(blocking) {}

BlockingQuery::~BlockingQuery() {
  *alive_ = false;
  agent_.unpark(id_);
  if (handler_) handler_->detach();
}

void BlockingQuery::start() { send(); }

void BlockingQuery::send() {
  retryTimer_.reset();
  if (agent_.park(id_, [this] { send(); })) return;  // failFast: the agent is down
  const AgentEndpoint& endpoint = agent_.endpoint();
  QueryOptions options;
  options.consistency = endpoint.consistency;
  options.index = blocking_ ? state_.index : 0;
  options.waitSeconds = endpoint.waitSeconds;

  sdk::HttpClientRequest request;
  request.host = endpoint.host;
  request.port = endpoint.port;
  request.tls = endpoint.tls;
  request.target = target_(options);
  if (!endpoint.token.empty()) request.headers.emplace_back("X-Consul-Token", endpoint.token);
  // Consul holds a blocking request for `wait` plus up to wait/16 of jitter; past that and a
  // margin for a slow network, the call is hung (linkerd#2140): abandoned and sent again.
  auto wait = std::chrono::seconds(options.index > 0 ? options.waitSeconds : 0);
  request.headTimeout = std::chrono::duration_cast<std::chrono::milliseconds>(wait + wait / 16) + kAnswerMargin;
  request.idleTimeout = kAnswerMargin;

  state_.lastTarget = request.target;
  state_.lastRequestAt = std::chrono::system_clock::now();
  if (handler_) handler_->detach();
  handler_ = std::make_shared<Handler>(this);
  call_ = agent_.host().httpClient().send(std::move(request), handler_);
}

void BlockingQuery::answered(int status, uint64_t index, bool hasIndex, const std::string& body) {
  if (status != 200) {
    std::string text = body.substr(0, 200);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return failed({status, "HTTP " + std::to_string(status) + (text.empty() ? "" : ": " + text)});
  }
  if (blocking_ && !hasIndex) return failed({status, "the answer has no X-Consul-Index header"});
  std::weak_ptr<bool> alive = alive_;
  auto refused = onAnswer_(body);
  // The owner may have dropped this query from inside onAnswer_ (its last observer went away).
  if (!alive.lock()) return;
  if (refused) return failed({status, *refused});
  state_.answers++;
  state_.lastAnswerAt = std::chrono::system_clock::now();
  state_.lastFailure.reset();
  backoff_.reset();
  if (!blocking_) return;
  state_.index = nextIndex(state_.index, index);
  if (state_.index == 0 && restarts_) restarts_->incr();  // the index went backwards
  send();
}

void BlockingQuery::failed(QueryFailure failure) {
  state_.failures++;
  state_.lastFailure = failure;
  // The agent may have restarted with fresh indexes: ask again without one.
  state_.index = 0;
  if (blocking_ && restarts_) restarts_->incr();
  // The HTTP client says "cannot connect" when the agent refused or was unreachable.
  if (failure.status == 0 && failure.reason.rfind("cannot connect", 0) == 0) agent_.connectFailed(failure.reason);
  retryTimer_ = agent_.host().mainDispatcher().schedule(backoff_.next(), [this] { send(); });
  onFailure_(failure);  // last: the owner may drop this query from inside it
}

std::string BlockingQuery::stateJson() const {
  std::string out = "{\"index\":" + std::to_string(state_.index) + ",\"answers\":" + std::to_string(state_.answers) +
                    ",\"failures\":" + std::to_string(state_.failures) +
                    ",\"lastRequest\":" + sdk::jsonQuote(state_.lastTarget) +
                    ",\"lastRequestAtMs\":" + isoTime(state_.lastRequestAt) +
                    ",\"lastAnswerAtMs\":" + isoTime(state_.lastAnswerAt) + ",\"lastError\":";
  if (state_.lastFailure) {
    out += sdk::jsonQuote(state_.lastFailure->reason);
  } else {
    out += "null";
  }
  return out + "}";
}

}  // namespace ferry::plugins::namer::consul
