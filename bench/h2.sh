#!/usr/bin/env bash
# HTTP/2 and gRPC benchmark: h2load through Ferry, HAProxy and nginx side by side in one run,
# and gRPC unary latency through Ferry against direct.
#   bash bench/h2.sh [build-dir]        (make bench runs it after bench/http1.sh)
# Installs h2load and nghttpd, HAProxy and nginx from Debian if missing. Every address is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
need=()
for p in nghttp2-client nghttp2-server haproxy nginx python3-grpcio; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  # Debian starts nginx and HAProxy as services on install; the benchmark runs its own.
  $SUDO systemctl stop nginx haproxy 2>/dev/null || true
  $SUDO pkill -x nginx 2>/dev/null || true
  $SUDO pkill -x haproxy 2>/dev/null || true
fi
exec /usr/bin/python3 bench/h2.py --ferry "$BUILD_DIR/bin/ferry" "${@:2}"
