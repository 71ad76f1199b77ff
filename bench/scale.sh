#!/usr/bin/env bash
# Scale benchmark: N registered processes over 5 clustered nodes (one JVM, embedded ZooKeeper): heap per
# entry vs plain deployments, convergence, idle sync traffic, a 6th node joining.
# Usage: bench/scale.sh [N]   (default 100000; about 3 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
BUILD_LOG="$(mktemp -t scale-build.XXXXXX.log)"
trap 'rm -f "$BUILD_LOG"' EXIT
if ! mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/scale-classpath.txt >"$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  exit 1
fi
timeout 1200 java -Xmx4g -XX:+UseParallelGC -cp "target/test-classes:target/classes:$(cat target/scale-classpath.txt)" \
  dev.vxext.benchmarks.ScaleBenchmark "$N"
