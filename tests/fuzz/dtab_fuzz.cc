// libFuzzer harness: the dtab, name-tree, prefix and path syntax (core/naming/dtab, sdk/path),
// which reads config files and, through l5d-dtab, bytes from any client. Beyond not crashing,
// what parses must print back to text that parses to the same thing (show is parse's inverse,
// the property the delegator and l5d-ctx-dtab rely on), and a lookup must terminate.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/naming/dtab.h"

using namespace ferry::core::naming;

namespace {

void check(bool ok, const char* what, std::string_view text) {
  if (ok) return;
  std::fprintf(stderr, "dtab_fuzz: %s for input '%.*s'\n", what, static_cast<int>(text.size()), text.data());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto dtab = Dtab::parse(text)) {
    std::string shown = dtab->show();
    auto again = Dtab::parse(shown);
    check(static_cast<bool>(again), "a shown dtab does not parse", text);
    check(again->show() == shown, "show(parse(show(d))) differs from show(d)", text);
    static const ferry::sdk::Path kProbe = ferry::sdk::Path::parse("/svc/a/b").value();
    (void)dtab->lookup(kProbe);
    (void)dtab->matches(kProbe);
  }
  if (auto tree = parseNameTree(text)) {
    std::string shown = showNameTree(*tree);
    auto again = parseNameTree(shown);
    check(static_cast<bool>(again), "a shown name tree does not parse", text);
    check(showNameTree(*again) == shown, "a name tree does not print back the same", text);
  }
  if (auto prefix = parsePrefix(text)) {
    auto again = parsePrefix(prefix->show());
    check(static_cast<bool>(again) && *again == *prefix, "a prefix does not round-trip", text);
  }
  if (auto path = ferry::sdk::Path::parse(text)) {
    auto again = ferry::sdk::Path::parse(path->show());
    check(static_cast<bool>(again) && *again == *path, "a path does not round-trip", text);
  }
  return 0;
}
