#!/usr/bin/env bash
# HTTP/1.1 reverse-proxy benchmark: direct, Ferry, HAProxy and nginx side by side, in one run.
#   bash bench/http1.sh [build-dir]        (make bench does this)
# Installs wrk, HAProxy and nginx from Debian if missing. Every address is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
bash bench/install-tools.sh wrk haproxy nginx
exec python3 bench/http1.py --ferry "$BUILD_DIR/bin/ferry" "${@:2}"
