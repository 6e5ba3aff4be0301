#pragma once
// Dentry, Dtab and the NameTree<Path> syntax (Linkerd 1.x docs: dtabs).

#include <string>
#include <string_view>
#include <vector>

#include "ferry/sdk/name_tree.h"
#include "ferry/sdk/path.h"
#include "ferry/sdk/status.h"

namespace ferry::core::naming {

using sdk::NameTree;
using sdk::Path;
using sdk::Result;

/** The left side of a dentry: labels, where an element may be `*` (any one element). */
class Prefix {
 public:
  Prefix() = default;
  /** `wildcard[i]` marks element i as `*`. */
  Prefix(Path labels, std::vector<bool> wildcard);

  /** Whether the first size() elements of `path` match. */
  bool matches(const Path& path) const;
  std::size_t size() const { return labels_.size(); }
  std::string show() const;

  friend bool operator==(const Prefix& a, const Prefix& b) {
    return a.labels_ == b.labels_ && a.wildcard_ == b.wildcard_;
  }

 private:
  Path labels_;
  std::vector<bool> wildcard_;
};

/** `prefix => tree`. */
struct Dentry {
  Prefix prefix;
  NameTree<Path> dst;

  std::string show() const;
  friend bool operator==(const Dentry& a, const Dentry& b) {
    return a.prefix == b.prefix && a.dst == b.dst;
  }
};

/** An ordered list of dentries; later entries take priority. */
class Dtab {
 public:
  Dtab() = default;
  explicit Dtab(std::vector<Dentry> dentries) : dentries_(std::move(dentries)) {}

  /** Parses `dentry (';' dentry)* [';']`; the empty string is the empty dtab. */
  static Result<Dtab> parse(std::string_view text);

  /** Entries joined by `;` (the format `parse` reads and `l5d-ctx-dtab` carries). */
  std::string show() const;

  /**
   * One rewrite step (§3.3): every matching dentry, last first, with the unmatched suffix
   * appended to each leaf. No match: Neg; one: its tree; several: Alt(last, ..., first).
   */
  NameTree<Path> lookup(const Path& path) const;

  /** As lookup, also reporting which dentry produced each alternative (for the delegator). */
  struct Match {
    const Dentry* dentry;
    NameTree<Path> tree;
  };
  std::vector<Match> matches(const Path& path) const;

  /** This dtab's entries followed by `other`'s (so `other` wins). */
  Dtab concat(const Dtab& other) const;

  const std::vector<Dentry>& dentries() const { return dentries_; }
  bool empty() const { return dentries_.empty(); }
  friend bool operator==(const Dtab& a, const Dtab& b) { return a.dentries_ == b.dentries_; }

 private:
  std::vector<Dentry> dentries_;
};

// Parses a name tree of paths: `/a | 0.5*/b & /c`, `!`, `~`, `$`, parentheses.
Result<NameTree<Path>> parseNameTree(std::string_view text);
// Parses a dentry prefix, such as `/svc/*`.
Result<Prefix> parsePrefix(std::string_view text);

/** Prints a tree in the syntax parseNameTree reads (Finagle's `show`). */
std::string showNameTree(const NameTree<Path>& tree);

/** Formats a union weight as Finagle does (`0.70`). */
std::string showWeight(double weight);

}  // namespace ferry::core::naming
