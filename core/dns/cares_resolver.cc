#include "core/dns/cares_resolver.h"

#include <arpa/inet.h>

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace ferry::core::dns {

namespace asio = boost::asio;

namespace {

constexpr int kTypeSrv = 33;

std::string serverText(const std::string& ip, uint16_t port) {
  return (ip.find(':') != std::string::npos ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

/** c-ares's status in the words of an l5d-err; `asked` names what a lookup wanted
 *  ("SRV records", "address"), for an answer that has none. */
std::string describe(int status, const char* asked) {
  switch (status) {
    case ARES_SUCCESS:
    case ARES_ENODATA: return std::string("no ") + asked;
    case ARES_ENOTFOUND: return "no such name";
    case ARES_ETIMEOUT: return "no answer (timeout)";
    case ARES_ECONNREFUSED: return "the DNS servers cannot be reached";
    case ARES_ESERVFAIL: return "server failure (SERVFAIL)";
    case ARES_EREFUSED: return "query refused (REFUSED)";
    case ARES_EBADRESP: return "malformed answer";
    default: return ares_strerror(status);
  }
}

}  // namespace

/** One server list's channel; ready once the servers given by name have addresses. */
class CaresResolver::Servers : public std::enable_shared_from_this<Servers> {
 public:
  using Ready = std::function<void(const std::string& error)>;

  Servers(std::shared_ptr<CaresChannel> channel, std::vector<std::string> entries, std::shared_ptr<CaresChannel> system)
      : channel_(std::move(channel)), entries_(std::move(entries)), system_(std::move(system)) {}

  CaresChannel& channel() { return *channel_; }

  /** Calls `ready` once the servers are set (at once if they are), or with why they cannot be. */
  void whenReady(Ready ready) {
    if (ready_ || entries_.empty()) return ready("");  // an empty list: the system's servers
    waiters_.push_back(std::move(ready));
    if (!resolving_) resolve();
  }

 private:
  void resolve() {
    std::vector<sdk::DnsServer> parsed;
    for (const auto& e : entries_) {
      sdk::DnsServer entry;
      std::string error;
      if (!sdk::parseDnsServer(e, entry, error)) return fail("DNS server " + error);
      parsed.push_back(entry);
    }
    resolving_ = true;
    auto addresses = std::make_shared<std::vector<std::vector<std::string>>>(parsed.size());
    auto pending = std::make_shared<std::size_t>(parsed.size());
    auto firstError = std::make_shared<std::string>();
    std::weak_ptr<Servers> weak = weak_from_this();
    auto oneDone = [weak, parsed, addresses, pending, firstError] {
      if (--*pending > 0) return;
      auto self = weak.lock();
      if (!self) return;
      self->resolving_ = false;
      if (!firstError->empty()) return self->fail(*firstError);
      std::vector<std::string> servers;
      for (std::size_t i = 0; i < parsed.size(); ++i) {
        for (const auto& ip : (*addresses)[i]) servers.push_back(serverText(ip, parsed[i].port));
      }
      std::string error;
      if (!self->channel_->setServers(servers, error)) return self->fail(error);
      self->ready_ = true;
      auto waiters = std::move(self->waiters_);
      for (auto& w : waiters) w("");
    };
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      if (parsed[i].isAddress) {
        (*addresses)[i] = {parsed[i].host};
        oneDone();
        continue;
      }
      std::string name = parsed[i].host;
      system_->lookupHost(name, [i, name, addresses, firstError, oneDone](int status, std::vector<std::string> found) {
        if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
        if (found.empty() && firstError->empty()) {
          *firstError = "DNS server '" + name + "' has no address: " + describe(status, "address");
        }
        (*addresses)[i] = std::move(found);
        oneDone();
      });
    }
  }

  /** The waiters fail now; the next lookup tries the names again. */
  void fail(const std::string& error) {
    resolving_ = false;
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& w : waiters) w(error);
  }

  std::shared_ptr<CaresChannel> channel_;
  std::vector<std::string> entries_;
  std::shared_ptr<CaresChannel> system_;
  bool ready_ = false;
  bool resolving_ = false;
  std::vector<Ready> waiters_;
};

/** One SRV lookup: the records, then each distinct target's addresses, within the deadline. */
class CaresResolver::Lookup : public std::enable_shared_from_this<Lookup> {
 public:
  Lookup(asio::io_context& io, sdk::SrvLookup request, std::function<void(sdk::SrvAnswer)> done)
      : io_(io), request_(std::move(request)), done_(std::move(done)), deadline_(io) {}

  void start(const std::shared_ptr<Servers>& servers, const std::string& setupError) {
    std::weak_ptr<Lookup> weak = weak_from_this();
    if (!servers) return fail(setupError);
    servers_ = servers;
    deadline_.expires_after(request_.timeout);
    deadline_.async_wait([weak](const boost::system::error_code& ec) {
      if (auto self = weak.lock(); self && !ec) self->expire();
    });
    servers->whenReady([weak](const std::string& error) {
      auto self = weak.lock();
      if (!self || self->finished_) return;
      if (!error.empty()) return self->fail(error);
      self->querySrv();
    });
  }

 private:
  void querySrv() {
    std::weak_ptr<Lookup> weak = weak_from_this();
    servers_->channel().search(request_.name, kTypeSrv, [weak](int status, const unsigned char* answer, int length) {
      auto self = weak.lock();
      if (!self || self->finished_ || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
      self->onSrv(status, answer, length);
    });
  }

  void onSrv(int status, const unsigned char* answer, int length) {
    ares_srv_reply* replies = nullptr;
    if (status == ARES_SUCCESS) status = ares_parse_srv_reply(answer, length, &replies);
    if (status == ARES_ENOTFOUND || status == ARES_ENODATA) {  // the name, or its SRV records, do not exist
      answer_.outcome = sdk::SrvAnswer::Outcome::NoSuchName;
      answer_.error = where(describe(status, "SRV records"));
      return finish();
    }
    if (status != ARES_SUCCESS) return fail(describe(status, "SRV records"));
    for (auto* r = replies; r; r = r->next) {
      sdk::SrvTarget t;
      t.priority = r->priority;
      t.weight = r->weight;
      t.port = r->port;
      t.target = r->host ? r->host : "";
      if (!t.target.empty() && t.target.back() == '.') t.target.pop_back();
      // RFC 2782: a target of "." says the service is decidedly not available at this name.
      if (t.target.empty() || t.target == ".") continue;
      answer_.records.push_back(std::move(t));
    }
    ares_free_data(replies);
    answer_.outcome = sdk::SrvAnswer::Outcome::Found;
    srvAnswered_ = true;
    for (const auto& r : answer_.records) {
      if (std::find(pendingTargets_.begin(), pendingTargets_.end(), r.target) == pendingTargets_.end()) {
        pendingTargets_.push_back(r.target);
      }
    }
    if (pendingTargets_.empty()) return finish();
    std::weak_ptr<Lookup> weak = weak_from_this();
    for (const auto& target : std::vector<std::string>(pendingTargets_)) {
      servers_->channel().lookupHost(target, [weak, target](int status, std::vector<std::string> addresses) {
        auto self = weak.lock();
        if (!self || self->finished_ || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) return;
        self->onTarget(target, status, std::move(addresses));
      });
    }
  }

  void onTarget(const std::string& target, int status, std::vector<std::string> addresses) {
    if (addresses.empty()) answer_.unresolvedTargets.push_back(target + ": " + describe(status, "address"));
    for (auto& r : answer_.records) {
      if (r.target == target) r.addresses = addresses;
    }
    pendingTargets_.erase(std::find(pendingTargets_.begin(), pendingTargets_.end(), target));
    if (pendingTargets_.empty()) finish();
  }

  void expire() {
    if (finished_) return;
    if (!srvAnswered_) return fail("no answer within " + std::to_string(request_.timeout.count()) + " ms");
    // The records came; the targets still unanswered are reported as such.
    for (const auto& target : pendingTargets_) {
      answer_.unresolvedTargets.push_back(target + ": no address within the deadline");
    }
    finish();
  }

  std::string where(const std::string& why) const {
    std::string servers = servers_ ? servers_->channel().serversText() : "";
    return request_.name + ": " + why + (servers.empty() ? "" : " (" + servers + ")");
  }

  void fail(const std::string& why) {
    answer_ = sdk::SrvAnswer{};
    answer_.outcome = sdk::SrvAnswer::Outcome::Failed;
    answer_.error = where(why);
    finish();
  }

  /** Delivers on a later turn: never inside lookupSrv, never inside c-ares's own processing. */
  void finish() {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    std::weak_ptr<Lookup> weak = weak_from_this();
    asio::post(io_, [weak] {
      if (auto self = weak.lock()) self->done_(std::move(self->answer_));
    });
  }

  asio::io_context& io_;
  sdk::SrvLookup request_;
  std::function<void(sdk::SrvAnswer)> done_;
  asio::steady_timer deadline_;
  std::shared_ptr<Servers> servers_;
  sdk::SrvAnswer answer_;
  bool srvAnswered_ = false;
  bool finished_ = false;
  std::vector<std::string> pendingTargets_;  ///< distinct targets whose addresses have not come
};

namespace {

/** The caller's handle: the lookup lives as long as it does. */
class QueryHandle final : public sdk::DnsQuery {
 public:
  explicit QueryHandle(std::shared_ptr<void> lookup) : lookup_(std::move(lookup)) {}

 private:
  std::shared_ptr<void> lookup_;
};

}  // namespace

std::shared_ptr<CaresResolver::Servers> CaresResolver::serversFor(const std::vector<std::string>& servers,
                                                                  std::string& error) {
  auto found = channels_.find(servers);
  if (found != channels_.end()) return found->second;
  if (!system_) system_ = CaresChannel::create(io_, error);
  if (!system_) return nullptr;
  auto channel = servers.empty() ? system_ : CaresChannel::create(io_, error);
  if (!channel) return nullptr;
  auto entry = std::make_shared<Servers>(channel, servers, system_);
  channels_.emplace(servers, entry);
  return entry;
}

sdk::DnsQueryPtr CaresResolver::lookupSrv(sdk::SrvLookup lookup, std::function<void(sdk::SrvAnswer)> done) {
  std::string error;
  auto servers = serversFor(lookup.servers, error);
  auto query = std::make_shared<Lookup>(io_, std::move(lookup), std::move(done));
  query->start(servers, "the DNS client could not start: " + error);
  return std::make_unique<QueryHandle>(query);
}

}  // namespace ferry::core::dns
