#!/usr/bin/env bash
# Cluster cron at load: JOBS cluster jobs firing every second on 3 nodes (one JVM, embedded ZooKeeper),
# a node closed and another started mid-run; against plain Vert.x timers in the same JVM.
# Usage: bench/cron-load.sh [JOBS] [SECONDS]   (defaults 1000 jobs, 60 s; SECONDS at least 25)
# BEFORE_CLASSES=<dir>: first runs the same benchmark on those main classes (a build of an earlier commit,
# e.g. `git worktree add /tmp/before <rev> && (cd /tmp/before && mvn -o -q compile)` → /tmp/before/target/classes),
# then on target/classes: a before/after in one session. BENCH_CLASSES=<dir> / BENCH_TEST_CLASSES=<dir>: run
# copies of target/classes / target/test-classes (runs while the tree is rebuilt). SKIP_BUILD=1 skips the Maven build.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS="${1:-1000}"
SECONDS_="${2:-60}"
[ -n "${SKIP_BUILD:-}" ] || timeout 600 mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/cron-classpath.txt
run() {
  timeout $((SECONDS_ + 300)) java -Xmx2g -cp "$1:${BENCH_TEST_CLASSES:-target/test-classes}:$(cat target/cron-classpath.txt)" \
    dev.vxext.benchmarks.CronLoadBenchmark "$JOBS" "$SECONDS_"
}
if [ -n "${BEFORE_CLASSES:-}" ]; then
  echo "### Before: $BEFORE_CLASSES"
  echo
  run "$BEFORE_CLASSES"
  echo
  echo "### After: ${BENCH_CLASSES:-target/classes}"
  echo
fi
run "${BENCH_CLASSES:-target/classes}"
