#pragma once
// The system namers under `/$/` (Linkerd 1.x docs: namers): Finagle's inet, fixedinet, fail, nil, and
// Linkerd's io.buoyant.* rewriting namers. They need no config and answer synchronously.

#include "ferry/sdk/name.h"

namespace ferry::core::naming {

/**
 * Looks up `path`, which starts with `/$`. Returns Ok(tree), Ok(Neg) when the namer does not
 * match its arguments, or Failed for an unknown `/$/<class>` (Linkerd fails the bind there
 * rather than falling back).
 */
sdk::NameActivity lookupSystemNamer(const sdk::Path& path);

/** Names of the system namers, for documentation and error messages. */
const char* const* systemNamerNames();

}  // namespace ferry::core::naming
