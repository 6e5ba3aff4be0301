#!/usr/bin/env bash
# `make run`: starts two demo backends and Ferry on config-examples/quickstart.yaml, in the
# foreground. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${1:-build}"

for port in 8081 8082 4140 9990; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "run-quickstart: port $port on 127.0.0.1 is already in use; stop what uses it and retry" >&2
    exit 1
  fi
done

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

python3 scripts/demo_backend.py hello 8081 & pids+=($!)
python3 scripts/demo_backend.py world 8082 & pids+=($!)

cat <<'MSG'

Ferry quick start: demo backends "hello" (127.0.0.1:8081) and "world" (127.0.0.1:8082).
Try, in another terminal:

  curl -H 'Host: hello' http://127.0.0.1:4140/
  curl -H 'Host: world' http://127.0.0.1:4140/some/path
  curl -H 'Host: hello' -H 'l5d-dtab: /svc/hello => /svc/world' http://127.0.0.1:4140/
  curl 'http://127.0.0.1:9990/delegator.json?path=/svc/hello'
  curl http://127.0.0.1:9990/admin/metrics.json?pretty=1

Edit config-examples/disco/hello to move the "hello" service; Ctrl-C to stop.

MSG
"$BUILD_DIR/bin/ferry" config-examples/quickstart.yaml &
pids+=($!)
wait "${pids[-1]}"
