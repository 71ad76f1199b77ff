#!/usr/bin/env bash
# Cluster cron at load: JOBS cluster jobs firing every second on 3 nodes (one JVM, embedded ZooKeeper),
# a node closed and another started mid-run; against plain Vert.x timers in the same JVM.
# Usage: bench/cron-load.sh [JOBS] [SECONDS]   (defaults 1000 jobs, 60 s; SECONDS at least 25)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${1:-1000}"
SECONDS_="${2:-60}"
timeout $((SECONDS_ + 300)) mvn -B -ntp -q test-compile exec:java \
  -Ddemo.main=dev.vxext.benchmarks.CronLoadBenchmark -Dexec.args="$JOBS $SECONDS_"
