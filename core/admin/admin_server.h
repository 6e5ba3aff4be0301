#pragma once
// The admin server (Linkerd 1.x docs: admin) on cpp-httplib: its own threads, which never touch live
// state; every handler computes its answer on the main thread and waits for it.

#include <memory>
#include <string>
#include <thread>

#include "ferry/sdk/status.h"

namespace httplib {
class Server;
}

namespace ferry::core::server {
class Linker;
}

namespace ferry::core::admin {

class AdminServer {
 public:
  explicit AdminServer(server::Linker& linker);
  ~AdminServer();

  /** Binds admin.ip:admin.port (a taken port fails startup) and starts serving. */
  sdk::Status start();
  std::string address() const;

 private:
  void routes();
  server::Linker& linker_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace ferry::core::admin
