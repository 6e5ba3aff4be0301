#include "core/naming/delegator.h"

#include <boost/json.hpp>

namespace ferry::core::naming {
namespace json = boost::json;

namespace {

class Delegator {
 public:
  Delegator(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab)
      : namers_(namers), dtab_(dtab), cache_(nullptr) {}

  json::value path(const Path& p, const Dentry* via, int depth) {
    if (depth > kMaxBindDepth) return node("exception", p, via, {{"message", maxDepthMessage()}});
    auto matches = dtab_.matches(p);
    NameTree<Path> rewritten = dtab_.lookup(p);
    if (rewritten.kind() != sdk::NameTreeKind::Neg) {
      json::value child;
      if (matches.size() == 1) {
        child = tree(matches[0].tree, p, matches[0].dentry, depth + 1);
      } else {
        json::array alts;
        for (const auto& m : matches) alts.push_back(tree(m.tree, p, m.dentry, depth + 1));
        child = node("alt", p, nullptr, {{"alt", std::move(alts)}});
      }
      return node("delegate", p, via, {{"delegate", std::move(child)}});
    }
    // No dentry applies: the configured namers, then the system namers.
    sdk::NameActivity act = lookupOnce(namers_, Dtab(), p, cache_);
    if (act.state == sdk::NameActivity::State::Failed) return node("exception", p, via, {{"message", act.error}});
    if (act.state == sdk::NameActivity::State::Pending) return node("pending", p, via, {});
    return names(act.tree, p, via, depth + 1);
  }

 private:
  json::value tree(const NameTree<Path>& t, const Path& at, const Dentry* via, int depth) {
    switch (t.kind()) {
      case sdk::NameTreeKind::Leaf:
        return path(t.value(), via, depth);
      case sdk::NameTreeKind::Alt: {
        json::array alts;
        for (const auto& c : t.children()) alts.push_back(tree(c, at, via, depth));
        return node("alt", at, via, {{"alt", std::move(alts)}});
      }
      case sdk::NameTreeKind::Union: {
        json::array branches;
        for (std::size_t i = 0; i < t.children().size(); ++i) {
          branches.push_back(json::object{{"weight", t.weights()[i]}, {"tree", tree(t.children()[i], at, via, depth)}});
        }
        return node("union", at, via, {{"union", std::move(branches)}});
      }
      default:
        return simple(t.kind(), at, via);
    }
  }

  json::value names(const sdk::NameTree<sdk::Name>& t, const Path& at, const Dentry* via, int depth) {
    switch (t.kind()) {
      case sdk::NameTreeKind::Leaf: {
        if (const auto* p = std::get_if<Path>(&t.value())) return path(*p, via, depth);
        const auto& b = std::get<sdk::BoundName>(t.value());
        json::object bound{{"addr", addrJson(b.addr)}, {"id", b.id.show()}, {"path", b.residual.show()}};
        return node("leaf", at, via, {{"bound", std::move(bound)}});
      }
      case sdk::NameTreeKind::Alt: {
        json::array alts;
        for (const auto& c : t.children()) alts.push_back(names(c, at, via, depth));
        return node("alt", at, via, {{"alt", std::move(alts)}});
      }
      case sdk::NameTreeKind::Union: {
        json::array branches;
        for (std::size_t i = 0; i < t.children().size(); ++i) {
          branches.push_back(json::object{{"weight", t.weights()[i]}, {"tree", names(t.children()[i], at, via, depth)}});
        }
        return node("union", at, via, {{"union", std::move(branches)}});
      }
      default:
        return simple(t.kind(), at, via);
    }
  }

  static json::value simple(sdk::NameTreeKind kind, const Path& at, const Dentry* via) {
    const char* type = kind == sdk::NameTreeKind::Fail ? "fail" : kind == sdk::NameTreeKind::Empty ? "empty" : "neg";
    return node(type, at, via, {});
  }

  static json::value node(const char* type, const Path& p, const Dentry* via, json::object extra) {
    json::object o{{"type", type}, {"path", p.show()}};
    if (via) {
      o["dentry"] = json::object{{"prefix", via->prefix.show()}, {"dst", showNameTree(via->dst)}};
    } else {
      o["dentry"] = nullptr;
    }
    for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
    return o;
  }

  const std::vector<ConfiguredNamer>& namers_;
  const Dtab& dtab_;
  LookupCache cache_;
};

void text(const json::value& v, int indent, std::string& out) {
  const auto& o = v.as_object();
  std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  std::string type = json::value_to<std::string>(o.at("type"));
  std::string path = json::value_to<std::string>(o.at("path"));
  std::string via;
  if (o.at("dentry").is_object()) {
    const auto& d = o.at("dentry").as_object();
    via = "  (" + json::value_to<std::string>(d.at("prefix")) + " => " + json::value_to<std::string>(d.at("dst")) + ")";
  }
  if (type == "delegate") {
    out += pad + path + via + "\n";
    text(o.at("delegate"), indent + 1, out);
  } else if (type == "alt") {
    out += pad + "alt: try in order" + via + "\n";
    for (const auto& c : o.at("alt").as_array()) text(c, indent + 1, out);
  } else if (type == "union") {
    out += pad + "union: split by weight" + via + "\n";
    for (const auto& b : o.at("union").as_array()) {
      out += pad + "  weight " + showWeight(b.at("weight").to_number<double>()) + ":\n";
      text(b.at("tree"), indent + 2, out);
    }
  } else if (type == "leaf") {
    const auto& bound = o.at("bound").as_object();
    const auto& addr = bound.at("addr").as_object();
    std::string addrType = json::value_to<std::string>(addr.at("type"));
    out += pad + path + via + "\n" + pad + "  client " + json::value_to<std::string>(bound.at("id"));
    std::string residual = json::value_to<std::string>(bound.at("path"));
    if (residual != "/") out += " (residual " + residual + ")";
    out += " ->" + (addrType == "bound" ? std::string("") : " " + addrType);
    if (addr.contains("addrs")) {
      for (const auto& a : addr.at("addrs").as_array()) {
        out += " " + json::value_to<std::string>(a.at("ip")) + ":" + std::to_string(a.at("port").to_number<int>());
      }
    }
    out += "\n";
  } else if (type == "exception") {
    out += pad + path + via + "\n" + pad + "  error: " + json::value_to<std::string>(o.at("message")) + "\n";
  } else {
    const char* meaning = type == "neg" ? "neg (no such name: fall back)"
                          : type == "fail" ? "fail (stop: no fallback)"
                          : type == "empty" ? "empty (exists, no endpoints)"
                                            : "pending (waiting for the namer)";
    out += pad + path + via + "\n" + pad + "  " + meaning + "\n";
  }
}

}  // namespace

json::object addrJson(const sdk::AddrState& addr) {
  switch (addr.kind) {
    case sdk::AddrState::Kind::Bound: {
      json::array addrs;
      for (const auto& a : addr.addresses) {
        json::object meta;
        for (const auto& [k, v] : a.meta) meta[k] = v;
        if (a.weight != 1.0) meta["endpoint_addr_weight"] = a.weight;
        addrs.push_back(json::object{{"ip", a.host}, {"port", a.port}, {"meta", std::move(meta)}});
      }
      return json::object{{"type", "bound"}, {"addrs", std::move(addrs)}, {"meta", json::object()}};
    }
    case sdk::AddrState::Kind::Neg:
      return json::object{{"type", "neg"}};
    case sdk::AddrState::Kind::Failed:
      return json::object{{"type", "failed"}, {"cause", addr.error}};
    case sdk::AddrState::Kind::Pending:
      break;
  }
  return json::object{{"type", "pending"}};
}

json::value delegate(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab, const Path& path) {
  Delegator d(namers, dtab);
  return d.path(path, nullptr, 0);
}

std::string delegationText(const json::value& tree) {
  std::string out;
  text(tree, 0, out);
  return out;
}

}  // namespace ferry::core::naming
