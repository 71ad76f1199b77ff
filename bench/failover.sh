#!/usr/bin/env bash
# Daemon failover benchmark: 3 node JVMs run 12 daemons; the non-leader JVM with the most daemons is killed
# with SIGKILL; prints the time from the kill to the first heartbeat of each moved daemon on a survivor
# (max and median), with sessionTimeout 4000 ms and settleDelay 1000 ms (see DaemonFailoverTest).
# Usage: bench/failover.sh [RUNS]   (RUNS test runs, default 1, at most 20; each takes ~15-30 s)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-1}"
if ! [[ "$RUNS" =~ ^[0-9]+$ ]] || [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt 20 ]; then
  echo "usage: $0 [RUNS]  (1 to 20)" >&2
  exit 2
fi
LOG="$(mktemp -t failover.XXXXXX.log)"
trap 'rm -f "$LOG"' EXIT
for ((i = 1; i <= RUNS; i++)); do
  if ! timeout 300 mvn -B -ntp -q test -Dtest=DaemonFailoverTest -Dsurefire.failIfNoSpecifiedTests=false >"$LOG" 2>&1; then
    echo "run $i: DaemonFailoverTest failed or timed out; last lines:" >&2
    tail -40 "$LOG" >&2
    exit 1
  fi
  grep -E '^FAILOVER ' "$LOG" || { echo "run $i: no FAILOVER line in the output" >&2; exit 1; }
done
