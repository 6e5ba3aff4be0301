#include "plugins/namer/dnssrv/dnssrv_namer.h"

#include <algorithm>
#include <cctype>

#include "ferry/sdk/json.h"
#include "plugins/common/discovery/endpoint_set.h"

namespace ferry::plugins::namer::dnssrv {

namespace {

class NoWatch final : public sdk::Watch {};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

/** One name's lookups and what they last said. */
struct DnsSrvNamer::Record {
  enum class Phase { Pending, Ok, Neg, Failed };
  Phase phase = Phase::Pending;
  std::vector<sdk::Address> addresses;  ///< Ok: the last good endpoints
  std::string error;                    ///< the last lookup's error (kept beside a last good state)
  std::vector<std::string> unresolvedTargets;
  sdk::DnsQueryPtr query;  ///< in flight
  sdk::TimerPtr next;      ///< the next lookup
  discovery::Backoff backoff;
  uint64_t lookups = 0;
  uint64_t failures = 0;
  std::chrono::system_clock::time_point lastAnswerAt;
  discovery::Linger::Clock::time_point unusedSince;

  explicit Record(std::chrono::milliseconds maxBackoff) : backoff(std::chrono::milliseconds(100), maxBackoff) {}
};

std::vector<sdk::Address> toAddresses(const sdk::SrvAnswer& answer) {
  std::vector<sdk::Address> out;
  for (const auto& record : answer.records) {
    for (const auto& ip : record.addresses) {
      sdk::Address a;
      a.host = ip;
      a.port = record.port;
      a.meta = {{"srv_target", record.target},
                {"srv_priority", std::to_string(record.priority)},
                {"srv_weight", std::to_string(record.weight)}};
      out.push_back(std::move(a));
    }
  }
  discovery::sortAndMerge(out);
  return out;
}

DnsSrvNamer::DnsSrvNamer(DnsSrvSettings settings, const sdk::NamerContext& context)
    : settings_(std::move(settings)),
      idPrefix_(context.idPrefix),
      host_(*context.host),
      linger_(context.host->mainDispatcher(), [this] { return sweep(); }),
      lookups_(context.host->stats().counter("lookups")),
      updates_(context.host->stats().counter("updates")),
      errors_(context.host->stats().counter("errors")),
      successes_(context.host->stats().counter("lookup_successes_total")),
      failures_(context.host->stats().counter("lookup_failures_total")),
      zeroResults_(context.host->stats().counter("lookup_zero_results_total")),
      unknownHosts_(context.host->stats().counter("unknown_srv_hosts_results_total")),
      duration_(context.host->stats().histogram("request_duration_ms")),
      observers_([this](const std::string& n) { return resolve(n); }, [this](const std::string& n) { released(n); },
                 updates_) {}

DnsSrvNamer::~DnsSrvNamer() = default;

sdk::WatchPtr DnsSrvNamer::lookup(const sdk::Path& path, sdk::NameObserver observer) {
  lookups_.incr();
  if (path.size() < 1 || path[0].empty()) {
    observer(sdk::NameActivity::ok(sdk::NameTree<sdk::Name>::neg()));
    return std::make_unique<NoWatch>();
  }
  return observers_.add(lower(path[0]), idPrefix_.concat(path.take(1)), path.drop(1), std::move(observer));
}

DnsSrvNamer::Record& DnsSrvNamer::record(const std::string& name) {
  auto& r = records_[name];
  if (!r) {
    r = std::make_unique<Record>(std::chrono::duration_cast<std::chrono::milliseconds>(settings_.refreshInterval));
    query(name);
  }
  discovery::Linger::used(r->unusedSince);
  return *r;
}

discovery::Resolution DnsSrvNamer::resolve(const std::string& name) {
  Record& r = record(name);
  switch (r.phase) {
    case Record::Phase::Pending: return discovery::Resolution::pending();
    case Record::Phase::Neg: return discovery::Resolution::neg();
    case Record::Phase::Failed: return discovery::Resolution::failed("io.l5d.dnssrv: " + r.error);
    case Record::Phase::Ok: break;
  }
  return discovery::Resolution::ok(r.addresses);
}

void DnsSrvNamer::released(const std::string& name) {
  auto it = records_.find(name);
  if (it != records_.end()) linger_.unused(it->second->unusedSince);
}

bool DnsSrvNamer::sweep() {
  auto now = discovery::Linger::Clock::now();
  bool lingering = false;
  for (auto it = records_.begin(); it != records_.end();) {
    if (!observers_.observed(it->first) && discovery::Linger::expired(it->second->unusedSince, now)) {
      it = records_.erase(it);  // cancels its lookup and its timer
      continue;
    }
    lingering = lingering || discovery::Linger::lingering(it->second->unusedSince);
    ++it;
  }
  return lingering;
}

void DnsSrvNamer::query(const std::string& name) {
  Record& r = *records_.at(name);
  r.next.reset();
  r.lookups++;
  sdk::SrvLookup lookup;
  lookup.name = name;
  lookup.servers = settings_.dnsHosts;
  lookup.timeout = settings_.lookupTimeout;
  auto started = std::chrono::steady_clock::now();
  r.query = host_.dnsResolver().lookupSrv(std::move(lookup), [this, name, started](sdk::SrvAnswer answer) {
    onAnswer(name, std::move(answer), started);
  });
}

void DnsSrvNamer::onAnswer(const std::string& name, sdk::SrvAnswer answer, std::chrono::steady_clock::time_point started) {
  auto found = records_.find(name);
  if (found == records_.end()) return;
  Record& r = *found->second;
  r.query.reset();
  duration_.record(static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count()));
  r.unresolvedTargets = answer.unresolvedTargets;
  if (!answer.unresolvedTargets.empty()) {
    unknownHosts_.incr();
    for (const auto& t : answer.unresolvedTargets) host_.logger().warning("SRV " + name + ": target " + t);
  }
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.refreshInterval);
  switch (answer.outcome) {
    case sdk::SrvAnswer::Outcome::Found: {
      auto addresses = toAddresses(answer);
      r.lastAnswerAt = std::chrono::system_clock::now();
      r.error.clear();
      r.backoff.reset();
      if (addresses.empty()) {
        zeroResults_.incr();
        r.phase = Record::Phase::Neg;
        r.addresses.clear();
        r.error = "no SRV record whose target has an address";
      } else {
        successes_.incr();
        r.phase = Record::Phase::Ok;
        r.addresses = std::move(addresses);
      }
      break;
    }
    case sdk::SrvAnswer::Outcome::NoSuchName:
      // An authoritative "no": the service is gone, not the DNS.
      failures_.incr();
      r.lastAnswerAt = std::chrono::system_clock::now();
      r.backoff.reset();
      r.phase = Record::Phase::Neg;
      r.addresses.clear();
      r.error = answer.error;
      break;
    case sdk::SrvAnswer::Outcome::Failed:
      failures_.incr();
      errors_.incr();
      r.failures++;
      if (r.error != answer.error) host_.logger().warning("SRV lookup failed, retrying: " + answer.error);
      r.error = answer.error;
      // A failing DNS changes nothing that routes once the name has had an answer.
      if (r.phase == Record::Phase::Pending || r.phase == Record::Phase::Failed) r.phase = Record::Phase::Failed;
      delay = std::min(delay, r.backoff.next());
      break;
  }
  r.next = host_.mainDispatcher().schedule(delay, [this, name] {
    if (records_.count(name)) query(name);
  });
  observers_.notify(name);
}

std::string DnsSrvNamer::stateJson() const {
  auto epochMs = [](std::chrono::system_clock::time_point t) {
    if (t == std::chrono::system_clock::time_point{}) return std::string("null");
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  };
  static const char* const kPhases[] = {"pending", "ok", "neg", "failed"};
  std::string out = "{\"refreshIntervalSeconds\":" + std::to_string(settings_.refreshInterval.count()) + ",\"dnsHosts\":[";
  for (std::size_t i = 0; i < settings_.dnsHosts.size(); ++i) {
    out += std::string(i ? "," : "") + sdk::jsonQuote(settings_.dnsHosts[i]);
  }
  out += "],\"names\":{";
  bool first = true;
  for (const auto& [name, r] : records_) {
    out += std::string(first ? "" : ",") + sdk::jsonQuote(name) + ":{\"state\":" +
           sdk::jsonQuote(kPhases[static_cast<int>(r->phase)]) + ",\"addresses\":[";
    for (std::size_t i = 0; i < r->addresses.size(); ++i) {
      const auto& a = r->addresses[i];
      std::string host = a.host.find(':') != std::string::npos ? "[" + a.host + "]" : a.host;
      out += std::string(i ? "," : "") + sdk::jsonQuote(host + ":" + std::to_string(a.port));
    }
    out += "],\"unresolvedTargets\":[";
    for (std::size_t i = 0; i < r->unresolvedTargets.size(); ++i) {
      out += std::string(i ? "," : "") + sdk::jsonQuote(r->unresolvedTargets[i]);
    }
    out += "],\"error\":" + (r->error.empty() ? std::string("null") : sdk::jsonQuote(r->error)) +
           ",\"lookups\":" + std::to_string(r->lookups) + ",\"failures\":" + std::to_string(r->failures) +
           ",\"lastAnswerAtMs\":" + epochMs(r->lastAnswerAt) + ",\"inFlight\":" + (r->query ? "true" : "false") + "}";
    first = false;
  }
  return out + "},\"observers\":" + std::to_string(observers_.observerCount()) + "}";
}

std::vector<sdk::Path> DnsSrvNamer::boundNames() const {
  std::vector<sdk::Path> out;
  for (const auto& [name, r] : records_) {
    if (r->phase == Record::Phase::Ok) out.push_back(idPrefix_.concat(sdk::Path({name})));
  }
  return out;
}

}  // namespace ferry::plugins::namer::dnssrv
