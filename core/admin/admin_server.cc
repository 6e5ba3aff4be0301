#include "core/admin/admin_server.h"

#include <httplib.h>

#include <boost/json.hpp>

#include "core/naming/delegator.h"
#include "core/router/router.h"
#include "core/server/linker.h"
#include "core/util/log.h"

namespace ferry::core::admin {
namespace json = boost::json;

namespace {

/** The paths /admin lists, in order. */
const char* const kIndex[] = {
    "/admin",        "/admin/ping",        "/admin/metrics.json", "/admin/shutdown",   "/bound-names.json",
    "/client_state.json", "/config.json",  "/delegator.json",     "/namer_state/<prefix>.json",
};

/** How long /delegator.json waits for pending lookups before answering with them pending. */
constexpr std::chrono::seconds kDelegatorWait{5};

struct Answer {
  int status = 200;
  std::string body;
  std::string contentType = "application/json";
};

void reply(httplib::Response& res, const Answer& a) {
  res.status = a.status;
  res.set_content(a.body, a.contentType.c_str());
}

std::string errorJson(const std::string& message) { return json::serialize(json::object{{"error", message}}); }

}  // namespace

AdminServer::AdminServer(server::Linker& linker) : linker_(linker), server_(std::make_unique<httplib::Server>()) {}

AdminServer::~AdminServer() {
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string AdminServer::address() const { return linker_.config().admin.ip + ":" + std::to_string(port_); }

sdk::Status AdminServer::start() {
  const auto& cfg = linker_.config().admin;
  int threads = cfg.workerThreads;
  server_->new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<std::size_t>(threads)); };
  routes();
  if (cfg.port == 0) {
    port_ = server_->bind_to_any_port(cfg.ip);
  } else {
    port_ = server_->bind_to_port(cfg.ip, cfg.port) ? cfg.port : -1;
  }
  if (port_ < 0) {
    return sdk::Status::error("admin: cannot listen on " + cfg.ip + ":" + std::to_string(cfg.port) +
                              " (address in use or not available)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // A stop() issued before the listen loop starts is lost by cpp-httplib: wait for it (bounded).
  for (int i = 0; i < 2000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  util::logLine(sdk::LogLevel::Info, "admin", "serving on http://" + address() + "/admin");
  return sdk::Status::ok();
}

void AdminServer::routes() {
  auto& s = *server_;
  // Computes on the main thread; the handler only waits. Captures are owned (shared), so a
  // late computation after a timeout writes into live memory.
  auto onMain = [this](std::function<Answer()> compute) {
    auto answer = std::make_shared<Answer>();
    bool ok = linker_.runOnMain([answer, compute] { *answer = compute(); });
    if (!ok) return Answer{503, errorJson("the main thread did not answer in time"), "application/json"};
    return *answer;
  };

  s.Get("/admin/ping", [](const httplib::Request&, httplib::Response& res) { res.set_content("pong", "text/plain"); });

  auto index = [](const httplib::Request&, httplib::Response& res) {
    std::string body;
    for (const char* p : kIndex) body += std::string(p) + "\n";
    res.set_content(body, "text/plain");
  };
  s.Get("/admin", index);
  s.Get("/admin/index.txt", index);

  s.Get("/config.json", [this, onMain](const httplib::Request&, httplib::Response& res) {
    reply(res, onMain([this] { return Answer{200, config::configJson(*linker_.config().root)}; }));
  });

  s.Get("/admin/metrics.json", [this, onMain](const httplib::Request& req, httplib::Response& res) {
    bool pretty = req.has_param("pretty") && req.get_param_value("pretty") != "0";
    bool tree = req.has_param("tree") && req.get_param_value("tree") != "0";
    std::string q = req.has_param("q") ? req.get_param_value("q") : "";
    reply(res, onMain([this, pretty, tree, q] {
            auto& stats = linker_.stats();
            std::string body = tree ? stats.metricsTreeJson(q) : stats.metricsJson(pretty, q);
            if (!q.empty() && (body == "{}")) return Answer{404, errorJson("No such subtree: " + q)};
            return Answer{200, body};
          }));
  });

  s.Get("/bound-names.json", [this, onMain](const httplib::Request&, httplib::Response& res) {
    reply(res, onMain([this] {
            json::array names;
            for (const auto& n : linker_.namers()) {
              for (const auto& p : n.namer->boundNames()) names.push_back(json::string(p.show()));
            }
            return Answer{200, json::serialize(names)};
          }));
  });

  s.Get(R"(/namer_state/(.+)\.json)", [this, onMain](const httplib::Request& req, httplib::Response& res) {
    std::string prefix = "/" + std::string(req.matches[1]);
    reply(res, onMain([this, prefix] {
            auto p = sdk::Path::parse(prefix);
            sdk::Namer* namer = p ? linker_.namerByPrefix(*p) : nullptr;
            if (!namer) return Answer{404, errorJson("no namer with prefix " + prefix)};
            return Answer{200, namer->stateJson()};
          }));
  });

  s.Get("/client_state.json", [this, onMain](const httplib::Request&, httplib::Response& res) {
    reply(res, onMain([this] {
            json::object out;
            for (const auto& r : linker_.routers()) r->addClientState(out);
            return Answer{200, json::serialize(out)};
          }));
  });

  auto delegateOnce = [this, onMain](std::string ns, std::string dtabText, std::string pathText) {
    return onMain([this, ns, dtabText, pathText] {
      const auto& routers = linker_.routers();
      if (routers.empty()) return Answer{404, errorJson("no routers")};
      router::Router* r = ns.empty() ? routers.front().get() : linker_.routerByLabel(ns);
      if (!r) return Answer{404, errorJson("no router labelled '" + ns + "'")};
      auto path = sdk::Path::parse(pathText);
      if (!path) return Answer{400, errorJson(path.message())};
      auto extra = naming::Dtab::parse(dtabText);
      if (!extra) return Answer{400, errorJson("invalid dtab: " + extra.message())};
      auto tree = naming::delegate(linker_.namers(), r->dtab().concat(*extra), *path);
      return Answer{200, json::serialize(tree)};
    });
  };
  // Linkerd's delegator waits for lookups that are still pending. Namers that ask a remote
  // API (Consul, Kubernetes) answer a fresh lookup later and keep what they learnt for a while
  // (consul_namer.h), so asking again soon finds it: up to kDelegatorWait, then the tree as it is.
  auto delegator = [delegateOnce](std::string ns, std::string dtabText, std::string pathText) {
    auto deadline = std::chrono::steady_clock::now() + kDelegatorWait;
    Answer answer = delegateOnce(ns, dtabText, pathText);
    while (answer.status == 200 && answer.body.find("\"type\":\"pending\"") != std::string::npos &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      answer = delegateOnce(ns, dtabText, pathText);
    }
    return answer;
  };
  s.Get("/delegator.json", [delegator](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("path")) return reply(res, Answer{400, errorJson("missing 'path' parameter")});
    reply(res, delegator(req.get_param_value("namespace"), req.get_param_value("dtab"), req.get_param_value("path")));
  });
  s.Post("/delegator.json", [delegator](const httplib::Request& req, httplib::Response& res) {
    json::error_code ec;
    auto v = json::parse(req.body, ec);
    if (ec || !v.is_object()) return reply(res, Answer{400, errorJson("expected a JSON object {namespace, dtab, path}")});
    auto field = [&](const char* k) -> std::string {
      const auto* f = v.as_object().if_contains(k);
      return f && f->is_string() ? std::string(f->as_string()) : std::string();
    };
    if (field("path").empty()) return reply(res, Answer{400, errorJson("missing 'path'")});
    reply(res, delegator(field("namespace"), field("dtab"), field("path")));
  });

  s.Post("/admin/shutdown", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content("shutting down\n", "text/plain");
    linker_.requestShutdown("POST /admin/shutdown");
  });
  s.Get("/admin/shutdown", [](const httplib::Request&, httplib::Response& res) {
    res.status = 405;
    res.set_header("Allow", "POST");
    res.set_content("use POST to shut down\n", "text/plain");
  });
}

}  // namespace ferry::core::admin
