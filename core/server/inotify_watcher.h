#pragma once
// sdk::FileWatcher on Linux inotify, read through the main loop (no thread of its own).

#include <boost/asio/io_context.hpp>

#include "ferry/sdk/file_watch.h"

namespace ferry::core::server {

class InotifyWatcher final : public sdk::FileWatcher {
 public:
  explicit InotifyWatcher(boost::asio::io_context& io) : io_(io) {}
  sdk::Result<sdk::WatchPtr> watchTree(const std::string& directory,
                                       std::function<void(const std::string&)> onChange) override;

 private:
  boost::asio::io_context& io_;
};

}  // namespace ferry::core::server
