#pragma once
// io.l5d.dnssrv: endpoints from DNS SRV records (Linkerd 1.x docs: namers, "DNS-SRV").
//
//   /#/io.l5d.dnssrv/<srv-record-name>[/residual]      e.g. /#/io.l5d.dnssrv/_http._tcp.users.example.org
//
// Each name observed is looked up every refreshIntervalSeconds through the host's DNS resolver
// (sdk/dns.h: asynchronous, on the main loop), at the servers of dnsHosts or the system's. The
// endpoints are each record's target addresses with its port; the records' priority, weight
// and target travel as metadata (every record is used, as in Linkerd).
//
// As in Linkerd, a name that does not exist, has no SRV records, or has none whose target has
// an address is Neg, so dtab fallbacks apply. A lookup that fails (timeout, SERVFAIL, refused)
// keeps the last good state and retries sooner, with jittered backoff; a name that never got
// an answer fails with the reason, so its requests carry it in l5d-err. A name nobody observes
// any more is refreshed for another minute (discovery/linger.h), then dropped.
//
// Thread: main, like every namer.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/dns.h"
#include "ferry/sdk/namer.h"
#include "plugins/common/discovery/backoff.h"
#include "plugins/common/discovery/linger.h"
#include "plugins/common/discovery/observer_set.h"

namespace ferry::plugins::namer::dnssrv {

struct DnsSrvSettings {
  std::chrono::seconds refreshInterval{5};
  /** DNS servers, `host[:port]`; empty: the system's. */
  std::vector<std::string> dnsHosts;
  /** Time allowed for one lookup (records and target addresses). */
  std::chrono::milliseconds lookupTimeout{5'000};
};

/**
 * The endpoints an answer names: one per address of each record's target, with the record's
 * port; metadata `srv_target`, `srv_priority`, `srv_weight`. Sorted, duplicates merged.
 */
std::vector<sdk::Address> toAddresses(const sdk::SrvAnswer& answer);

class DnsSrvNamer final : public sdk::Namer {
 public:
  DnsSrvNamer(DnsSrvSettings settings, const sdk::NamerContext& context);
  ~DnsSrvNamer() override;

  // sdk::Namer
  sdk::WatchPtr lookup(const sdk::Path& path, sdk::NameObserver observer) override;
  std::string stateJson() const override;
  std::vector<sdk::Path> boundNames() const override;

 private:
  struct Record;

  discovery::Resolution resolve(const std::string& name);
  void released(const std::string& name);
  Record& record(const std::string& name);
  void query(const std::string& name);
  void onAnswer(const std::string& name, sdk::SrvAnswer answer, std::chrono::steady_clock::time_point started);
  bool sweep();

  DnsSrvSettings settings_;
  sdk::Path idPrefix_;
  sdk::HostContext& host_;
  std::map<std::string, std::unique_ptr<Record>> records_;  ///< by lower-cased name
  discovery::Linger linger_;
  sdk::Counter& lookups_;
  sdk::Counter& updates_;
  sdk::Counter& errors_;
  // Linkerd's own metric names for this namer.
  sdk::Counter& successes_;
  sdk::Counter& failures_;
  sdk::Counter& zeroResults_;
  sdk::Counter& unknownHosts_;
  sdk::Histogram& duration_;
  discovery::ObserverSet<std::string> observers_;  // last: destroyed first, before the records
};

}  // namespace ferry::plugins::namer::dnssrv
