#pragma once
// FileWatcher: change notifications for a directory tree (inotify on Linux), from the host.

#include <functional>
#include <memory>
#include <string>

#include "ferry/sdk/status.h"

namespace ferry::sdk {

/** An active watch; destroying it stops the notifications. */
class Watch {
 public:
  virtual ~Watch() = default;
};
using WatchPtr = std::unique_ptr<Watch>;

class FileWatcher {
 public:
  virtual ~FileWatcher() = default;
  /**
   * Watches `directory` and every sub-directory, including ones created later. `onChange` gets
   * the changed file's path relative to `directory` (a file written, created, removed or moved;
   * a directory created or removed) and runs on the main thread. Bursts are delivered as they
   * come; callers re-read what they need.
   * @return the watch, or an error naming the directory and the system's reason.
   * Thread: main.
   */
  virtual Result<WatchPtr> watchTree(const std::string& directory,
                                     std::function<void(const std::string& relativePath)> onChange) = 0;
};

}  // namespace ferry::sdk
