#!/usr/bin/env bash
# Directory convergence benchmark: register -> locatable from all 3 nodes, vs raw event-bus RTT.
# Usage: bench/convergence.sh [N]   (N measured registrations, default 1000, at least 100)
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-1000}"
timeout 600 mvn -B -ntp -q test-compile exec:java \
  -Ddemo.main=dev.vxext.benchmarks.ConvergenceBenchmark -Dexec.args="$N"
