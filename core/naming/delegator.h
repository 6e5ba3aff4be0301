#pragma once
// The delegation tree behind `/delegator.json` and `ferry delegate` (Linkerd 1.x docs: admin): every
// rewrite step from a logical path to bound addresses, with the dentry that produced it.

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "core/naming/interpreter.h"

namespace ferry::core::naming {

/**
 * Delegates `path` through `dtab` and `namers` and returns the tree as JSON nodes of type
 * delegate, alt, union, leaf, neg, fail, empty, exception (Linkerd's shape). Lookups are
 * one-shot: namers answer from their current state.
 */
boost::json::value delegate(const std::vector<ConfiguredNamer>& namers, const Dtab& dtab, const Path& path);

/** The same tree as indented text, for the terminal. */
std::string delegationText(const boost::json::value& tree);

/** The JSON for an address set, as in leaf nodes and /client_state.json. */
boost::json::object addrJson(const sdk::AddrState& addr);

}  // namespace ferry::core::naming
