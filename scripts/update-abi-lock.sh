#!/usr/bin/env bash
# Records the SDK headers' hash in sdk/abi.lock after a deliberate ABI decision (see
# docs/abi-policy.md). Run it only after bumping the version or confirming none is needed,
# and after logging the change in sdk/CHANGES-ABI.md.
set -euo pipefail
cd "$(dirname "$0")/.."
major=$(awk '/define FERRY_SDK_ABI_MAJOR/ {print $3}' sdk/include/ferry/sdk/version.h)
minor=$(awk '/define FERRY_SDK_ABI_MINOR/ {print $3}' sdk/include/ferry/sdk/version.h)
input=""
for h in $(find sdk/include/ferry/sdk -name '*.h' | LC_ALL=C sort); do
  input+="$h $(sha256sum "$h" | cut -d' ' -f1)"$'\n'
done
hash=$(printf '%s' "$input" | sha256sum | cut -d' ' -f1)
printf '# The SDK headers this ABI version was recorded for (see tests/abi/abi_lock_test.cc).\n# abi %s.%s\nsha256 %s\n' \
  "$major" "$minor" "$hash" > sdk/abi.lock
echo "sdk/abi.lock: abi $major.$minor sha256 $hash"
