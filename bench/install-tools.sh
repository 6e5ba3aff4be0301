#!/usr/bin/env bash
# Installs the Debian packages a benchmark needs (its arguments) when missing, and stops the
# nginx and HAProxy services Debian starts on install: the benchmarks run their own.
set -euo pipefail
need=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
$SUDO systemctl stop nginx haproxy 2>/dev/null || true
$SUDO pkill -x nginx 2>/dev/null || true
$SUDO pkill -x haproxy 2>/dev/null || true
