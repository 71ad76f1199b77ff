#!/usr/bin/env bash
# Cluster harness (issue 7): a real ZooKeeper (curator-test TestingServer) + node JVMs on loopback.
# Measures, in one run and against a raw event-bus baseline of the same run: locate hit/miss, call
# (latency and throughput), the directory baseline (ZooKeeper and Hazelcast cluster-wide AsyncMap get),
# and kill -9 failover of Vert.x HA vs our daemons. See dev.vxext.benchmarks.ClusterHarness.
# Usage: bench/cluster.sh [key=value...]
#   nodes=3 names=200 samples=3000 block=100 warmup=2000 requests=50000 inflight=64 runs=3
#   phases=zk,hz,failover   (any subset, in that order)   settle=2000 failover=1500 (settleDelay, failoverDelay of our daemon nodes, failover phase; the defaults)
#   kill=follower|leader   (failover phase: kill the non-leader running most daemons, or the leader)
#   session=4000           (ZooKeeper sessionTimeout of every node, ms)
# BENCH_CLASSES=<dir> / BENCH_TEST_CLASSES=<dir>: run copies of target/classes / target/test-classes
# (before/after runs, or runs while the tree is rebuilt); SKIP_BUILD=1 skips the Maven build.
# Bounded: the harness is killed after ${CLUSTER_BENCH_TIMEOUT:-900} s; its child JVMs end with it
# (shutdown hook) or on their own after 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${SKIP_BUILD:-}" ] || timeout 600 mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
LOG="target/cluster-bench-$(date +%Y%m%d-%H%M%S).log"
echo "(log lines of the harness JVM go to $LOG)" >&2
timeout -s TERM -k 30 "${CLUSTER_BENCH_TIMEOUT:-900}" java -Xmx512m \
  -cp "${BENCH_CLASSES:-target/classes}:${BENCH_TEST_CLASSES:-target/test-classes}:$(cat target/bench-classpath.txt)" \
  dev.vxext.benchmarks.ClusterHarness "$@" 2>"$LOG" || { echo "harness failed; last lines of $LOG:" >&2; tail -30 "$LOG" >&2; exit 1; }
