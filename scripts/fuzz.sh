#!/usr/bin/env bash
# Runs libFuzzer harnesses built by `make fuzz` (build-fuzz/fuzz/<name>_fuzz).
#
#   scripts/fuzz.sh [--runs N] [--seconds S] [NAME...]     (default: every harness, 10,000,000
#                                                          executions or 1,800 s, whichever first)
#
# Each harness starts from its seed corpus (tests/fuzz/corpus/<name>) plus what earlier runs on
# this machine found (build-fuzz/corpus/<name>, which grows). A crash, leak or timeout is written
# to tests/fuzz/regressions/<name>/ (commit it: `make test` replays it), and the script exits 1.
# The last line of each run (executions, coverage, features) goes to build-fuzz/results.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=10000000
seconds=1800
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    *) names+=("$1"); shift ;;
  esac
done
if [ ${#names[@]} -eq 0 ]; then
  for f in build-fuzz/fuzz/*_fuzz; do names+=("$(basename "$f" _fuzz)"); done
fi
status=0
for name in "${names[@]}"; do
  bin="build-fuzz/fuzz/${name}_fuzz"
  [ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz)" >&2; exit 2; }
  corpus="build-fuzz/corpus/$name"
  artifacts="build-fuzz/artifacts/$name"
  found="tests/fuzz/regressions/$name"
  mkdir -p "$corpus" "$artifacts"
  log="build-fuzz/$name.log"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$bin" -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" "tests/fuzz/corpus/$name" >"$log" 2>&1
  rc=$?
  last=$(grep -E "^#[0-9]+" "$log" | tail -1)
  execs=$(grep -E "stat::number_of_executed_units" "$log" | awk '{print $2}')
  echo "$(date -u +%F) $name rc=$rc executions=${execs:-?} $last" | tee -a build-fuzz/results.txt
  if [ -n "$(ls -A "$artifacts")" ]; then
    mkdir -p "$found"
    mv "$artifacts"/* "$found/"
  fi
  if [ $rc -ne 0 ]; then
    echo "fuzz: $name found a problem (see $log; the input is in $found/)" >&2
    status=1
  fi
done
exit $status
