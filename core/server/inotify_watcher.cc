#include "core/server/inotify_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include <boost/asio/posix/stream_descriptor.hpp>

namespace ferry::core::server {
namespace {
namespace fs = std::filesystem;

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO |
                           IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

/** One watched tree: its own inotify descriptor, one watch per directory. */
class TreeWatch final : public sdk::Watch, public std::enable_shared_from_this<TreeWatch> {
 public:
  TreeWatch(boost::asio::io_context& io, std::string root, std::function<void(const std::string&)> cb)
      : stream_(io), root_(std::move(root)), onChange_(std::move(cb)) {}

  sdk::Status start(int fd) {
    stream_.assign(fd);
    auto s = addDirectory("");
    if (!s) return s;
    read();
    return sdk::Status::ok();
  }

  void stop() {
    onChange_ = nullptr;
    boost::system::error_code ec;
    stream_.close(ec);
  }

 private:
  sdk::Status addDirectory(const std::string& rel) {
    std::string full = rel.empty() ? root_ : root_ + "/" + rel;
    int wd = inotify_add_watch(stream_.native_handle(), full.c_str(), kMask);
    if (wd < 0) return sdk::Status::error("cannot watch " + full + ": " + std::strerror(errno));
    dirs_[wd] = rel;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(full, ec)) {
      if (e.is_directory(ec)) {
        std::string child = rel.empty() ? e.path().filename().string() : rel + "/" + e.path().filename().string();
        auto s = addDirectory(child);
        if (!s) return s;
      }
    }
    return sdk::Status::ok();
  }

  void read() {
    std::weak_ptr<TreeWatch> weak = weak_from_this();
    stream_.async_read_some(boost::asio::buffer(buffer_), [weak](const boost::system::error_code& ec, std::size_t n) {
      auto self = weak.lock();
      if (!self || ec) return;
      self->dispatch(n);
      if (self->onChange_) self->read();
    });
  }

  void dispatch(std::size_t n) {
    std::size_t off = 0;
    while (off + sizeof(inotify_event) <= n) {
      auto* ev = reinterpret_cast<const inotify_event*>(buffer_.data() + off);
      off += sizeof(inotify_event) + ev->len;
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end()) continue;
      std::string dir = it->second;
      if (ev->mask & IN_IGNORED) {
        dirs_.erase(it);
        continue;
      }
      std::string name = ev->len ? std::string(ev->name) : std::string();
      std::string rel = dir.empty() ? name : (name.empty() ? dir : dir + "/" + name);
      if ((ev->mask & IN_ISDIR) && (ev->mask & (IN_CREATE | IN_MOVED_TO))) {
        // A new directory: watch it, and report the files that landed before the watch did.
        addDirectory(rel);
        std::error_code fec;
        for (const auto& e : fs::recursive_directory_iterator(root_ + "/" + rel, fec)) {
          if (!onChange_) return;
          onChange_(fs::relative(e.path(), root_).string());
        }
      }
      if (onChange_) onChange_(rel);
    }
  }

  boost::asio::posix::stream_descriptor stream_;
  std::string root_;
  std::function<void(const std::string&)> onChange_;
  std::map<int, std::string> dirs_;
  alignas(inotify_event) std::array<char, 16 * 1024> buffer_{};
};

/** The handle given to the caller; stopping on destruction. */
class WatchHandle final : public sdk::Watch {
 public:
  explicit WatchHandle(std::shared_ptr<TreeWatch> tree) : tree_(std::move(tree)) {}
  ~WatchHandle() override { tree_->stop(); }

 private:
  std::shared_ptr<TreeWatch> tree_;
};

}  // namespace

sdk::Result<sdk::WatchPtr> InotifyWatcher::watchTree(const std::string& directory,
                                                     std::function<void(const std::string&)> onChange) {
  std::error_code ec;
  if (!fs::is_directory(directory, ec)) {
    return sdk::Result<sdk::WatchPtr>::failure("cannot watch " + directory + ": not a directory");
  }
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return sdk::Result<sdk::WatchPtr>::failure(std::string("inotify_init1: ") + std::strerror(errno));
  auto tree = std::make_shared<TreeWatch>(io_, directory, std::move(onChange));
  auto s = tree->start(fd);
  if (!s) {
    tree->stop();
    return sdk::Result<sdk::WatchPtr>(s);
  }
  return sdk::WatchPtr(std::make_unique<WatchHandle>(std::move(tree)));
}

}  // namespace ferry::core::server
