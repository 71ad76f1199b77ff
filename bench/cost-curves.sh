#!/usr/bin/env bash
# How cost grows (issue #19 part 3): CostCurveBenchmark at each point of two sweeps, one JVM per point
# (the nodes of a point are clustered nodes in that one JVM; ZooKeeper runs in a JVM of its own, fresh for each
# point, so its work and pauses are not the nodes'), then one PNG per sweep.
#   nodes sweep:     3, 6, 12 nodes x 10,000 processes (the 5-node point of the other sweep is plotted too)
#   processes sweep: 10k, 100k, 300k, 1M processes x 5 nodes
# Usage: bench/cost-curves.sh [run|plot] (default: run then plot); about 45 min on 2 cores
#   NODES="3 6 12" NODE_PROCS=10000 PROCS="10000 100000 1000000" PROC_NODES=5 override the points;
#   CSV=target/cost-curves.csv collects one line per point (appended: remove it to start over);
#   BENCH_JVM_OPTS adds JVM options to the benchmark JVM (default -XX:+UseParallelGC; the 1M point ran with
#   "-XX:+UseG1GC -Xlog:gc:file=target/cost-gc.log" after ParallelGC pauses expired every ZooKeeper session);
#   BASELINE=false skips the plain-deployment baseline.
# Plots: docs/cost-nodes.png, docs/cost-processes.png; fits: target/cost-fits.md.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT="${1:-all}"
CSV="${CSV:-target/cost-curves.csv}"
NODES="${NODES-3 6 12}"
NODE_PROCS="${NODE_PROCS:-10000}"
PROCS="${PROCS-10000 100000 300000 1000000}"
PROC_NODES="${PROC_NODES:-5}"
BUILD_LOG="$(mktemp -t cost-build.XXXXXX.log)"
trap 'rm -f "$BUILD_LOG"' EXIT
if ! mvn -B -ntp -q -o test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/cost-classpath.txt >"$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  exit 1
fi
CP="target/test-classes:target/classes:$(cat target/cost-classpath.txt)"

ZK_PID=
stop_zk() { if [ -n "$ZK_PID" ]; then kill "$ZK_PID" 2>/dev/null || true; wait "$ZK_PID" 2>/dev/null || true; ZK_PID=; fi; }
trap 'stop_zk; rm -f "$BUILD_LOG"' EXIT

point() { # nodes processes
  local heap=4g
  if [ "$2" -gt 300000 ]; then heap=12g; elif [ "$2" -gt 100000 ]; then heap=8g; fi
  local zkdir zkport
  zkdir="$(mktemp -d -t cost-zk.XXXXXX)"
  zkport=$((22000 + RANDOM % 2000))
  java -Xmx512m -Dzookeeper.4lw.commands.whitelist='*' -Dzookeeper.admin.enableServer=false \
    -cp "$CP" org.apache.zookeeper.server.ZooKeeperServerMain "$zkport" "$zkdir" > "target/cost-zk-$1x$2.log" 2>&1 &
  ZK_PID=$!
  for _ in $(seq 1 100); do (echo ruok | timeout 1 bash -c "cat > /dev/tcp/127.0.0.1/$zkport") 2>/dev/null && break; sleep 0.2; done
  echo "== $1 nodes, $2 processes (-Xmx$heap), ZooKeeper on port $zkport (pid $ZK_PID)" >&2
  # shellcheck disable=SC2086
  timeout 1400 java -Xmx$heap ${BENCH_JVM_OPTS:--XX:+UseParallelGC} -Dvxext.bench.zk="127.0.0.1:$zkport" -cp "$CP" \
    dev.vxext.benchmarks.CostCurveBenchmark "$1" "$2" "$CSV" "${BASELINE:-true}" \
    > "target/cost-$1x$2.log" 2>&1 || { echo "point $1 x $2 failed, see target/cost-$1x$2.log" >&2; grep -v '^\s*at ' "target/cost-$1x$2.log" | tail -5 >&2; }
  grep -v '^CSV' "target/cost-$1x$2.log" | grep '^\[' >&2 || true
  stop_zk
  rm -rf "$zkdir"
}

if [ "$WHAT" = all ] || [ "$WHAT" = run ]; then
  for k in $NODES; do point "$k" "$NODE_PROCS"; done
  for p in $PROCS; do point "$PROC_NODES" "$p"; done
fi

if [ "$WHAT" = all ] || [ "$WHAT" = plot ]; then
  PLOT=(java -Djava.awt.headless=true -cp "$CP" dev.vxext.benchmarks.CurvePlot "$CSV")
  {
    echo "### nodes sweep ($NODE_PROCS processes)"
    echo
    "${PLOT[@]}" nodes "processes=$NODE_PROCS" docs/cost-nodes.png \
      "Cost vs nodes ($NODE_PROCS processes, in-JVM nodes, ZooKeeper in its own JVM, 2 cores)" \
      "conv_p99_ms:convergence p99 (ms)" \
      "idle_sync_Bps_mean:idle sync bytes/s per node" \
      "heap_per_entry:heap per registered process (B)" \
      "ring_rebuild_us:ring rebuild (µs)" \
      "join_in_sync_ms:node joins → its share in sync (ms)" \
      "leader_scan_ms:leader scan, 1000 daemons (ms)" \
      "zk_znodes:ZooKeeper znodes" \
      "zk_watches:ZooKeeper watches" \
      "zk_idle_writes_per_s:ZooKeeper writes/s, idle"
    echo
    echo "### processes sweep ($PROC_NODES nodes)"
    echo
    "${PLOT[@]}" processes "nodes=$PROC_NODES" docs/cost-processes.png \
      "Cost vs processes ($PROC_NODES in-JVM nodes, ZooKeeper in its own JVM, 2 cores)" \
      "heap_per_entry:heap per registered process (B)" \
      "register_per_s:register throughput (/s)" \
      "join_in_sync_ms:node joins → its share in sync (ms)" \
      "digest_recompute_ms:ring-change digest recompute, 1 node (ms)" \
      "idle_cpu_ms_per_node_interval:idle CPU / node / syncInterval (ms)" \
      "digest_bytes:bytes per digest message" \
      "conv_p99_ms:convergence p99 (ms)" \
      "join_bytes:re-homing bytes on that join" \
      "zk_znodes:ZooKeeper znodes"
  } | tee target/cost-fits.md
fi
