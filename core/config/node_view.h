#pragma once
// sdk::ConfigView over a ConfigNode: how plugins (and the core) read the config while the reads
// are recorded for unknown-key reporting.

#include <initializer_list>
#include <string>
#include <vector>

#include "core/config/config_node.h"
#include "ferry/sdk/config.h"

namespace ferry::core::config {

class NodeView : public sdk::ConfigView {
 public:
  explicit NodeView(ConfigNodePtr node) : node_(std::move(node)) {}

  // sdk::ConfigView
  std::string location() const override { return node_->mark.show(); }
  Type type() const override;
  bool has(std::string_view key) const override;
  std::vector<std::string> keys() const override;
  std::unique_ptr<sdk::ConfigView> child(std::string_view key) const override;
  std::size_t size() const override;
  std::unique_ptr<sdk::ConfigView> at(std::size_t i) const override;
  sdk::Result<std::string> asString() const override;
  sdk::Result<int64_t> asInt() const override;
  sdk::Result<double> asDouble() const override;
  sdk::Result<bool> asBool() const override;
  /** Also marks the whole subtree read: a plugin that takes the raw text answers for all of it. */
  std::string raw() const override;

  /** Core-side access to the node (its mark, its children) without going through the SDK. */
  const ConfigNodePtr& node() const { return node_; }
  /** child() as a NodeView. */
  std::unique_ptr<NodeView> childView(std::string_view key) const;
  /** Marks `key` and everything under it read (accepted and ignored, like Linkerd's `usage`). */
  void ignore(std::string_view key) const;

 private:
  sdk::Status typeError(const std::string& expected) const;
  ConfigNodePtr node_;
};

/**
 * Linkerd keys Ferry does not implement yet: each present key becomes an error naming it (a
 * config never silently loses a setting), and its block is consumed so its contents are not
 * reported again as unknown keys.
 */
void refuseUnsupported(const NodeView& view, std::initializer_list<const char*> keys, const std::string& where,
                       std::vector<std::string>& errors);

}  // namespace ferry::core::config
