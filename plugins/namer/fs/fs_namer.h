#pragma once
// io.l5d.fs: one file per service under rootDir (Linkerd 1.x docs: namers).
//
// A file holds one endpoint per line, `host port` or `host port * weight`; `#` starts a
// comment. Sub-directories nest names: /#/io.l5d.fs/prod/web reads rootDir/prod/web. A missing
// or empty file is Neg, so dtab fallbacks apply; a malformed line is logged and skipped.
// Changes arrive through the host's file watcher and reach every observer within a few ms.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ferry/sdk/namer.h"

namespace ferry::plugins::namer::fs {

/** The parsed content of one service file. */
struct ServiceFile {
  bool exists = false;
  std::vector<sdk::Address> addresses;
  std::vector<std::string> errors;  ///< one per malformed line, with its line number
};

/** Parses a service file's text. */
ServiceFile parseServiceFile(const std::string& text);

class FsNamer final : public sdk::Namer {
 public:
  FsNamer(std::string rootDir, const sdk::NamerContext& context);
  ~FsNamer() override;

  /** Starts watching rootDir. */
  sdk::Status start();

  // sdk::Namer
  sdk::WatchPtr lookup(const sdk::Path& path, sdk::NameObserver observer) override;
  std::string stateJson() const override;
  std::vector<sdk::Path> boundNames() const override;

 private:
  struct Observer {
    sdk::Path path;
    sdk::NameObserver callback;
    sdk::NameActivity last;
    bool delivered = false;
  };
  class ObserverHandle;

  sdk::NameActivity resolve(const sdk::Path& path);
  const ServiceFile& serviceFile(const std::string& relative);
  void onFileChanged(const std::string& relative);
  void refreshObservers();
  void removeObserver(uint64_t id);

  std::string rootDir_;
  sdk::Path idPrefix_;
  sdk::HostContext& host_;
  sdk::WatchPtr watch_;
  sdk::TimerPtr refreshTimer_;
  std::map<std::string, ServiceFile> files_;  ///< cache, by path relative to rootDir
  std::map<uint64_t, std::shared_ptr<Observer>> observers_;
  uint64_t nextObserverId_ = 1;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  sdk::Counter& lookups_;
  sdk::Counter& updates_;
  sdk::Counter& malformedLines_;
};

}  // namespace ferry::plugins::namer::fs
