#pragma once
// The boot ABI: the only symbol the host looks up in a plugin shared object.
//
// Every plugin .so exports one C function, `ferry_plugin_manifest`, returning a pointer to a
// static manifest. The manifest's leading fields never change; new fields are only appended
// (struct_size tells the host how many it may read). Everything after the check goes through
// the C++ factory objects that the entries point to.
//
// Plugins do not write these structs by hand: they use FERRY_PLUGIN_MANIFEST in plugin.h.

#include <stdint.h>

#include "ferry/sdk/version.h"

extern "C" {

/** One kind provided by a library. */
struct ferry_manifest_entry {
  /** Category name: "namer", "identifier", "transformer", "load_balancer",
   *  "response_classifier", "protocol" or "telemeter". */
  const char* category;
  /** Kind as written in the config (`io.l5d.fs`, `p2c`, `http`). */
  const char* kind;
  /** A `ferry::sdk::PluginFactory*` of the category's factory type. Static storage: it lives as
   *  long as the library is loaded. */
  const void* factory;
};

/** What `ferry_plugin_manifest()` returns. */
struct ferry_manifest {
  /** sizeof(ferry_manifest) as the plugin was compiled. */
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  /** FERRY_SDK_BUILD_SIGNATURE as the plugin was compiled. */
  const char* build_signature;
  /** Human-readable library name and version, for `ferry --list-plugins`. */
  const char* library_name;
  const char* library_version;
  uint32_t entry_count;
  const ferry_manifest_entry* entries;
};

/** The symbol name the host resolves. */
#define FERRY_PLUGIN_BOOT_SYMBOL "ferry_plugin_manifest"
typedef const ferry_manifest* (*ferry_plugin_boot_fn)(void);

}  // extern "C"
