#!/usr/bin/env bash
# The README's "run the demo": 3 node JVMs (the real launcher) + an observer on an embedded ZooKeeper;
# kill -9 of the node running counter.orders, failover time, cluster cron ticks around it, clean stop.
# Needs only JDK 17 and Maven; finishes by itself (watchdog 110 s) and leaves nothing running.
# Child node logs: target/demo/. Usage: bench/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -ntp test-compile exec:exec@demo
