#!/usr/bin/env bash
# Fault suite (dev.vxext.fault.FaultSuite, not part of the unit tests): node JVMs on loopback + an embedded
# ZooKeeper; scenarios random-kill, zookeeper-restart, leader-session-expiry, sigstop-follower, each
# printing its tables and PASS/FAIL. Exits 0 only when every scenario passes. Logs in target/faults/<run>/.
# Usage: bench/faults.sh [--quick] [--only=scenario,...] [--seed=N] [--restart-after=MS]
#   (about 3 minutes on 2 cores plus the build; --quick about 2 minutes)
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
timeout 900 java -Xmx512m -cp "$SNAPSHOT/test-classes:$SNAPSHOT/classes:$(cat target/faults-classpath.txt)" \
  dev.vxext.fault.FaultSuite "$@"
