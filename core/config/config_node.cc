// yaml-cpp -> ConfigNode conversion, unknown-key reporting and "did you mean".

#include "core/config/config_node.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

namespace ferry::core::config {
namespace {

Mark markOf(const YAML::Mark& m, const std::string& file) {
  return Mark{file, m.line + 1, m.column + 1};
}

sdk::Result<ConfigNodePtr> convert(const YAML::Node& node, const std::string& file) {
  auto out = std::make_shared<ConfigNode>();
  out->mark = markOf(node.Mark(), file);
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out->type = ConfigNode::Type::Null;
      break;
    case YAML::NodeType::Scalar:
      out->type = ConfigNode::Type::Scalar;
      out->scalar = node.Scalar();
      break;
    case YAML::NodeType::Sequence:
      out->type = ConfigNode::Type::Sequence;
      for (const auto& item : node) {
        auto c = convert(item, file);
        if (!c) return c;
        out->items.push_back(std::move(c).value());
      }
      break;
    case YAML::NodeType::Map:
      out->type = ConfigNode::Type::Map;
      for (const auto& kv : node) {
        Mark keyMark = markOf(kv.first.Mark(), file);
        if (!kv.first.IsScalar()) {
          return sdk::Result<ConfigNodePtr>::failure(keyMark.show() + ": map keys must be strings");
        }
        std::string key = kv.first.Scalar();
        if (out->find(key)) {
          return sdk::Result<ConfigNodePtr>::failure(keyMark.show() + ": duplicate key '" + key + "'");
        }
        auto c = convert(kv.second, file);
        if (!c) return c;
        out->entries.push_back(ConfigNode::Entry{key, keyMark, std::move(c).value()});
      }
      break;
  }
  return out;
}

std::size_t editDistance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      char x = static_cast<char>(std::tolower(static_cast<unsigned char>(a[i - 1])));
      char y = static_cast<char>(std::tolower(static_cast<unsigned char>(b[j - 1])));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x == y ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

void collectUnknown(const ConfigNode& node, std::vector<std::string>& out) {
  if (node.type == ConfigNode::Type::Map) {
    for (const auto& e : node.entries) {
      if (!node.consumed.count(e.key)) {
        std::string msg = e.keyMark.show() + ": unknown key '" + e.key + "'";
        std::string near = closestKey(e.key, node.asked);
        if (!near.empty()) msg += " (did you mean '" + near + "'?)";
        out.push_back(msg);
        continue;  // nothing under an unknown key is meaningful
      }
      collectUnknown(*e.value, out);
    }
  } else if (node.type == ConfigNode::Type::Sequence) {
    for (const auto& item : node.items) collectUnknown(*item, out);
  }
}

void emit(YAML::Emitter& em, const ConfigNode& node) {
  switch (node.type) {
    case ConfigNode::Type::Null:
      em << YAML::Null;
      break;
    case ConfigNode::Type::Scalar:
      em << node.scalar;
      break;
    case ConfigNode::Type::Sequence:
      em << YAML::BeginSeq;
      for (const auto& i : node.items) emit(em, *i);
      em << YAML::EndSeq;
      break;
    case ConfigNode::Type::Map:
      em << YAML::BeginMap;
      for (const auto& e : node.entries) {
        em << YAML::Key << e.key << YAML::Value;
        emit(em, *e.value);
      }
      em << YAML::EndMap;
      break;
  }
}

}  // namespace

const ConfigNode::Entry* ConfigNode::find(const std::string& key) const {
  for (const auto& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

std::string ConfigNode::typeName() const {
  switch (type) {
    case Type::Null:
      return "null";
    case Type::Scalar:
      return "a scalar";
    case Type::Sequence:
      return "a list";
    case Type::Map:
      return "a map";
  }
  return "?";
}

sdk::Result<ConfigNodePtr> parseConfigText(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return sdk::Result<ConfigNodePtr>::failure(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  auto node = convert(root, name);
  if (!node) return node;
  if ((*node)->type != ConfigNode::Type::Map) {
    return sdk::Result<ConfigNodePtr>::failure(name + ": the config must be a map, got " +
                                               (*node)->typeName());
  }
  return node;
}

sdk::Result<ConfigNodePtr> loadConfigFile(const std::string& path) {
  std::stringstream buf;
  if (path == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(path);
    if (!in) return sdk::Result<ConfigNodePtr>::failure(path + ": cannot read config file");
    buf << in.rdbuf();
  }
  return parseConfigText(buf.str(), path == "-" ? "<stdin>" : path);
}

std::vector<std::string> unknownKeyErrors(const ConfigNode& root) {
  std::vector<std::string> out;
  collectUnknown(root, out);
  return out;
}

std::string closestKey(const std::string& key, const std::set<std::string>& candidates) {
  std::string best;
  std::size_t bestDistance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = editDistance(key, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

std::string emitYaml(const ConfigNode& node) {
  YAML::Emitter em;
  emit(em, node);
  return em.c_str();
}

}  // namespace ferry::core::config
