#!/usr/bin/env bash
# Call latency benchmark: node.call / node.lookup vs raw clustered event-bus requests, 3 nodes.
# Usage: bench/call-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
timeout 600 mvn -B -ntp -q test-compile exec:java \
  -Ddemo.main=dev.vxext.benchmarks.CallLatencyBenchmark
