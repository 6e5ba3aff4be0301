#!/usr/bin/env bash
# HTTP/2 and gRPC benchmark: h2load through Ferry, HAProxy and nginx side by side in one run,
# and gRPC unary latency through Ferry against direct.
#   bash bench/h2.sh [build-dir]        (make bench runs it after bench/http1.sh)
# Installs h2load and nghttpd, HAProxy, nginx and grpcio from Debian if missing. Every address
# is 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"
bash bench/install-tools.sh nghttp2-client nghttp2-server haproxy nginx python3-grpcio
exec /usr/bin/python3 bench/h2.py --ferry "$BUILD_DIR/bin/ferry" "${@:2}"
