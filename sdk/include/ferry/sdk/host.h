#pragma once
// HostContext: the services the core offers a plugin instance.

#include "ferry/sdk/dispatcher.h"
#include "ferry/sdk/dns.h"
#include "ferry/sdk/file_watch.h"
#include "ferry/sdk/http_client.h"
#include "ferry/sdk/log.h"
#include "ferry/sdk/stats.h"

namespace ferry::sdk {

/**
 * Given to a factory's create(). Every reference stays valid for the life of the instance the
 * factory creates. Thread: main, unless a service says otherwise.
 */
class HostContext {
 public:
  virtual ~HostContext() = default;
  /** The main thread's event loop: control-plane timers and callbacks. */
  virtual Dispatcher& mainDispatcher() = 0;
  /** A logger tagged with the plugin's category and kind. */
  virtual Logger& logger() = 0;
  /** A stats scope already prefixed for this instance (e.g. `namer/io.l5d.fs`). */
  virtual StatsScope& stats() = 0;
  virtual HttpClient& httpClient() = 0;
  virtual FileWatcher& fileWatcher() = 0;
  /** SRV lookups without blocking the main thread (io.l5d.dnssrv). */
  virtual DnsResolver& dnsResolver() = 0;
};

}  // namespace ferry::sdk
