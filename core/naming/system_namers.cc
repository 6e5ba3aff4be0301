// /$/ namers. Each takes the elements after its class name and returns a tree of Names:
// a BoundName for inet-like namers, a Path to keep resolving for the rewriting ones.

#include "core/naming/system_namers.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace ferry::core::naming {
namespace {

using sdk::BoundName;
using sdk::Name;
using sdk::NameActivity;
using sdk::NameTree;
using sdk::Path;

NameActivity okTree(NameTree<Name> t) { return NameActivity::ok(std::move(t)); }
NameActivity neg() { return okTree(NameTree<Name>::neg()); }
NameActivity rewrite(Path p) { return okTree(NameTree<Name>::leaf(Name(std::move(p)))); }

std::optional<uint16_t> parsePort(const std::string& s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  if (!std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int v = std::stoi(s);
  if (v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

NameActivity bound(Path id, Path residual, std::string host, uint16_t port) {
  sdk::Address a;
  a.host = std::move(host);
  a.port = port;
  BoundName b{std::move(id), std::move(residual), sdk::AddrState::bound({a})};
  return okTree(NameTree<Name>::leaf(Name(std::move(b))));
}

// /$/inet/<host>/<port>[/residual] or /$/inet/<port>[/residual] (localhost).
NameActivity inet(const std::string& cls, const Path& args) {
  const Path base = Path({"$", cls});
  if (args.size() >= 2) {
    if (auto port = parsePort(args[1])) {
      return bound(base.concat(args.take(2)), args.drop(2), args[0], *port);
    }
  }
  if (args.size() >= 1) {
    if (auto port = parsePort(args[0])) {
      return bound(base.concat(args.take(1)), args.drop(1), "127.0.0.1", *port);
    }
  }
  return NameActivity::failed("cannot bind " + base.concat(args).show() + ": /$/" + cls +
                              " expects /$/" + cls + "/<host>/<port>");
}

// /$/io.buoyant.rinet/<port>/<host>[/residual]
NameActivity rinet(const Path& args) {
  const Path base = Path({"$", "io.buoyant.rinet"});
  if (args.size() >= 2) {
    if (auto port = parsePort(args[0])) {
      return bound(base.concat(args.take(2)), args.drop(2), args[1], *port);
    }
  }
  return NameActivity::failed("cannot bind " + base.concat(args).show() +
                              ": expects /$/io.buoyant.rinet/<port>/<host>");
}

bool isDnsLabel(const std::string& s) {
  if (s.empty() || s.size() > 63) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

// host:port split for hostportPfx/porthostPfx: exactly one ':'; the port a DNS label.
std::optional<std::pair<std::string, std::string>> splitHostPort(const std::string& s) {
  auto colon = s.find(':');
  if (colon == std::string::npos || s.find(':', colon + 1) != std::string::npos) {
    return std::nullopt;
  }
  std::string host = s.substr(0, colon);
  std::string port = s.substr(colon + 1);
  if (host.empty() || !isDnsLabel(port)) return std::nullopt;
  return std::make_pair(host, port);
}

NameActivity hostPortPfx(const Path& args, bool portFirst) {
  if (args.size() < 2) return neg();
  auto hp = splitHostPort(args[1]);
  if (!hp) return neg();
  Path out = portFirst ? Path({args[0], hp->second, hp->first}) : Path({args[0], hp->first, hp->second});
  return rewrite(out.concat(args.drop(2)));
}

bool isMethod(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool isHost(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == ':' || c == '_' || c == '-';
  });
}

std::string stripPort(const std::string& host) {
  auto colon = host.find(':');
  return colon == std::string::npos ? host : host.substr(0, colon);
}

// a.b.c -> /c/b/a
std::optional<Path> domainPath(const std::string& host) {
  std::string h = stripPort(host);
  if (h.empty()) return std::nullopt;
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto dot = h.find('.', start);
    std::string part = h.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty()) return std::nullopt;
    parts.push_back(part);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  std::reverse(parts.begin(), parts.end());
  return Path(std::move(parts));
}

// <sub>.<domain> -> sub
std::optional<std::string> subdomain(const std::string& domain, const std::string& hostWithPort) {
  std::string host = stripPort(hostWithPort);
  std::string suffix = "." + domain;
  if (host.size() <= suffix.size()) return std::nullopt;
  if (host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0) return std::nullopt;
  return host.substr(0, host.size() - suffix.size());
}

using Handler = std::function<NameActivity(const Path& args)>;

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> kHandlers = {
      {"inet", [](const Path& a) { return inet("inet", a); }},
      {"fixedinet", [](const Path& a) { return inet("fixedinet", a); }},
      {"fail", [](const Path&) { return okTree(NameTree<Name>::fail()); }},
      {"nil", [](const Path&) { return okTree(NameTree<Name>::empty()); }},
      {"io.buoyant.rinet", rinet},
      {"io.buoyant.hostportPfx", [](const Path& a) { return hostPortPfx(a, false); }},
      {"io.buoyant.porthostPfx", [](const Path& a) { return hostPortPfx(a, true); }},
      {"io.buoyant.http.anyMethod",
       [](const Path& a) { return a.size() >= 1 && isMethod(a[0]) ? rewrite(a.drop(1)) : neg(); }},
      {"io.buoyant.http.anyMethodPfx",
       [](const Path& a) {
         return a.size() >= 2 && isMethod(a[1]) ? rewrite(Path({a[0]}).concat(a.drop(2))) : neg();
       }},
      {"io.buoyant.http.anyHost",
       [](const Path& a) { return a.size() >= 1 && isHost(a[0]) ? rewrite(a.drop(1)) : neg(); }},
      {"io.buoyant.http.anyHostPfx",
       [](const Path& a) {
         return a.size() >= 2 && isHost(a[1]) ? rewrite(Path({a[0]}).concat(a.drop(2))) : neg();
       }},
      {"io.buoyant.http.subdomainOf",
       [](const Path& a) {
         if (a.size() < 2) return neg();
         auto sub = subdomain(a[0], a[1]);
         return sub ? rewrite(Path({*sub}).concat(a.drop(2))) : neg();
       }},
      {"io.buoyant.http.subdomainOfPfx",
       [](const Path& a) {
         if (a.size() < 3) return neg();
         auto sub = subdomain(a[0], a[2]);
         return sub ? rewrite(Path({a[1], *sub}).concat(a.drop(3))) : neg();
       }},
      {"io.buoyant.http.domainToPath",
       [](const Path& a) {
         if (a.size() < 1) return neg();
         auto p = domainPath(a[0]);
         return p ? rewrite(p->concat(a.drop(1))) : neg();
       }},
      {"io.buoyant.http.domainToPathPfx",
       [](const Path& a) {
         if (a.size() < 2) return neg();
         auto p = domainPath(a[1]);
         return p ? rewrite(Path({a[0]}).concat(*p).concat(a.drop(2))) : neg();
       }},
  };
  return kHandlers;
}

}  // namespace

const char* const* systemNamerNames() {
  static const char* const kNames[] = {"inet",
                                       "fixedinet",
                                       "fail",
                                       "nil",
                                       "io.buoyant.rinet",
                                       "io.buoyant.hostportPfx",
                                       "io.buoyant.porthostPfx",
                                       "io.buoyant.http.anyMethod",
                                       "io.buoyant.http.anyMethodPfx",
                                       "io.buoyant.http.anyHost",
                                       "io.buoyant.http.anyHostPfx",
                                       "io.buoyant.http.subdomainOf",
                                       "io.buoyant.http.subdomainOfPfx",
                                       "io.buoyant.http.domainToPath",
                                       "io.buoyant.http.domainToPathPfx",
                                       nullptr};
  return kNames;
}

NameActivity lookupSystemNamer(const Path& path) {
  if (path.size() < 2 || path[0] != "$") return neg();
  const auto& table = handlers();
  auto it = table.find(path[1]);
  if (it == table.end()) {
    return NameActivity::failed("unknown system namer /$/" + path[1] + " in " + path.show());
  }
  return it->second(path.drop(2));
}

}  // namespace ferry::core::naming
