#!/usr/bin/env bash
# Installs every Debian 12 package that Ferry's build, tests and benchmarks need.
# Idempotent: when everything is already installed it prints nothing and exits 0.
# `install-deps.sh fuzz` also installs clang and its libFuzzer runtime (make fuzz).
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build make pkg-config
  # libraries (DESIGN.md, decision 2)
  libboost1.81-dev libboost-program-options1.81-dev libboost-json1.81-dev
  libboost-filesystem1.81-dev
  libyaml-cpp-dev libcpp-httplib-dev libssl-dev libnghttp2-dev libc-ares-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # real peers used by the tests
  curl openssl python3 nghttp2-client nghttp2-server python3-grpcio python3-h2 python3-yaml
  # a DNS server for io.l5d.dnssrv's tests
  dnsmasq-base
  # systemd-analyze checks the unit of deploy/systemd
  systemd
)
# kubectl checks the manifests of deploy/kubernetes: Debian's kubernetes-client, unless a kubectl
# is already installed (another package owning /usr/bin/kubectl would make it fail to unpack).
if ! command -v kubectl >/dev/null 2>&1; then
  PACKAGES+=(kubernetes-client)
fi
if [ "${1:-}" = "fuzz" ]; then
  PACKAGES+=(clang libclang-rt-14-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
