#!/usr/bin/env bash
# HTTP/1.1 reverse-proxy benchmark: direct, Ferry, HAProxy and nginx side by side, in one run.
#   bash bench/http1.sh [build-dir]        (make bench does this)
# Installs wrk, HAProxy and nginx from Debian if missing. Every address is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
need=()
for p in wrk haproxy nginx; do
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
exec python3 bench/http1.py --ferry "$BUILD_DIR/bin/ferry" "${@:2}"
