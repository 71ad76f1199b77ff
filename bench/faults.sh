#!/usr/bin/env bash
# Fault suite (dev.vxext.fault.FaultSuite, not part of the unit tests): node JVMs on loopback + an embedded
# ZooKeeper + an observer node in the runner; scenarios random-kill, zookeeper-restart, leader-session-expiry,
# sigstop-follower, zk-outage, zk-cut, peer-cut, asymmetric-cut, leader-isolated (nodes behind TCP proxies
# that cut and heal links), graceful-leave, rolling-restart, spawn-churn (supervised spawns under kills and
# restarts with rebalance: on-join), each printing its tables and PASS/FAIL. Every
# scenario checks: no daemon twice, no cron tick twice or missed uncounted, no request of the observer left
# hanging, and the recovery after the heal (members, leader, daemons, locate, /health), measured.
# Exits 0 only when every scenario passes. Logs in target/faults/<run>/.
# Usage: bench/faults.sh [--quick] [--only=scenario,...] [--seed=N] [--restart-after=MS]
#   (about 10 minutes on 2 cores plus the build; --quick about 6 minutes). On a shared machine run it
#   under flock /tmp/vxext-cpu.lock: its timings need the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_LOG="$(mktemp -t faults-build.XXXXXX.log)"
# the run uses a copy of the classes: a build during the run (node JVMs start throughout) changes nothing
SNAPSHOT="target/faults-classes-$$"
trap 'rm -f "$BUILD_LOG"; rm -rf "$SNAPSHOT"' EXIT
if ! mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/faults-classpath.txt >"$BUILD_LOG" 2>&1; then
  echo "build failed:" >&2
  cat "$BUILD_LOG" >&2
  exit 1
fi
mkdir -p "$SNAPSHOT"
cp -r target/classes "$SNAPSHOT/classes"
cp -r target/test-classes "$SNAPSHOT/test-classes"
timeout 2400 java -Xmx512m -cp "$SNAPSHOT/test-classes:$SNAPSHOT/classes:$(cat target/faults-classpath.txt)" \
  dev.vxext.fault.FaultSuite "$@"
