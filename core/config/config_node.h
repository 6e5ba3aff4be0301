#pragma once
// The parsed config file as a tree that remembers where every node came from and which map keys
// were read. Loading accepts YAML and JSON (Linkerd: JSON when the first non-blank character is
// `{`; yaml-cpp reads both) and rejects duplicate keys.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ferry/sdk/status.h"

namespace ferry::core::config {

/** A position in a config file (1-based line and column). */
struct Mark {
  std::string file;
  int line = 0;
  int column = 0;
  std::string show() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
  }
};

class ConfigNode;
using ConfigNodePtr = std::shared_ptr<ConfigNode>;

class ConfigNode {
 public:
  enum class Type { Null, Scalar, Sequence, Map };

  Type type = Type::Null;
  Mark mark;
  std::string scalar;
  /** Map entries in file order; each key keeps its own mark. */
  struct Entry {
    std::string key;
    Mark keyMark;
    ConfigNodePtr value;
  };
  std::vector<Entry> entries;
  std::vector<ConfigNodePtr> items;

  /** Keys read by anyone (core or plugin); the rest are reported as unknown. */
  mutable std::set<std::string> consumed;
  /** Keys someone asked for, present or not: the candidates for "did you mean". */
  mutable std::set<std::string> asked;

  /** The entry for `key`, or nullptr. Does not mark anything. */
  const Entry* find(const std::string& key) const;
  std::string typeName() const;
};

/** Parses YAML or JSON text; `name` is the file name used in marks. */
sdk::Result<ConfigNodePtr> parseConfigText(const std::string& text, const std::string& name);
/** Reads and parses a file (`-` reads standard input). */
sdk::Result<ConfigNodePtr> loadConfigFile(const std::string& path);

/**
 * Every map key under `root` that nobody read, as one error line each:
 * `file:line:col: unknown key 'rootdir' (did you mean 'rootDir'?)`.
 */
std::vector<std::string> unknownKeyErrors(const ConfigNode& root);

/** The closest of `candidates` to `key`, or "" when none is close. */
std::string closestKey(const std::string& key, const std::set<std::string>& candidates);

/** Re-emits a node as YAML (for ConfigView::raw and /config.json's source). */
std::string emitYaml(const ConfigNode& node);

}  // namespace ferry::core::config
