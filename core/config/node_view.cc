#include "core/config/node_view.h"

#include <charconv>
#include <cstdlib>

namespace ferry::core::config {

sdk::ConfigView::Type NodeView::type() const {
  switch (node_->type) {
    case ConfigNode::Type::Null:
      return Type::Null;
    case ConfigNode::Type::Scalar:
      return Type::Scalar;
    case ConfigNode::Type::Sequence:
      return Type::Sequence;
    case ConfigNode::Type::Map:
      return Type::Map;
  }
  return Type::Null;
}

bool NodeView::has(std::string_view key) const {
  std::string k(key);
  node_->asked.insert(k);
  const auto* e = node_->find(k);
  return e && e->value->type != ConfigNode::Type::Null;
}

std::vector<std::string> NodeView::keys() const {
  std::vector<std::string> out;
  for (const auto& e : node_->entries) out.push_back(e.key);
  return out;
}

std::unique_ptr<NodeView> NodeView::childView(std::string_view key) const {
  std::string k(key);
  node_->asked.insert(k);
  const auto* e = node_->find(k);
  if (!e) return nullptr;
  node_->consumed.insert(k);
  // `key:` with no value reads as absent, as Linkerd's Jackson config does.
  if (e->value->type == ConfigNode::Type::Null) return nullptr;
  return std::make_unique<NodeView>(e->value);
}

std::unique_ptr<sdk::ConfigView> NodeView::child(std::string_view key) const { return childView(key); }

namespace {
void consumeAll(const ConfigNode& node) {
  for (const auto& e : node.entries) {
    node.consumed.insert(e.key);
    consumeAll(*e.value);
  }
  for (const auto& i : node.items) consumeAll(*i);
}
}  // namespace

std::string NodeView::raw() const {
  consumeAll(*node_);
  return emitYaml(*node_);
}

void NodeView::ignore(std::string_view key) const {
  node_->asked.insert(std::string(key));
  node_->consumed.insert(std::string(key));
  if (const auto* e = node_->find(std::string(key))) consumeAll(*e->value);
}

std::size_t NodeView::size() const {
  return node_->type == ConfigNode::Type::Sequence ? node_->items.size() : 0;
}

std::unique_ptr<sdk::ConfigView> NodeView::at(std::size_t i) const {
  if (node_->type != ConfigNode::Type::Sequence || i >= node_->items.size()) return nullptr;
  return std::make_unique<NodeView>(node_->items[i]);
}

sdk::Status NodeView::typeError(const std::string& expected) const {
  std::string got = node_->type == ConfigNode::Type::Scalar ? "'" + node_->scalar + "'" : node_->typeName();
  return sdk::Status::error(location() + ": expected " + expected + ", got " + got);
}

sdk::Result<std::string> NodeView::asString() const {
  if (node_->type != ConfigNode::Type::Scalar) return typeError("a string");
  return node_->scalar;
}

sdk::Result<int64_t> NodeView::asInt() const {
  if (node_->type != ConfigNode::Type::Scalar) return typeError("an integer");
  const std::string& s = node_->scalar;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return typeError("an integer");
  return v;
}

sdk::Result<double> NodeView::asDouble() const {
  if (node_->type != ConfigNode::Type::Scalar) return typeError("a number");
  const std::string& s = node_->scalar;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) return typeError("a number");
  return v;
}

sdk::Result<bool> NodeView::asBool() const {
  if (node_->type == ConfigNode::Type::Scalar) {
    if (node_->scalar == "true") return true;
    if (node_->scalar == "false") return false;
  }
  return typeError("true or false");
}

void refuseUnsupported(const NodeView& view, std::initializer_list<const char*> keys, const std::string& where,
                       std::vector<std::string>& errors) {
  if (auto refused = view.refuseUnsupported(keys, where); !refused) errors.push_back(refused.message());
}

}  // namespace ferry::core::config
