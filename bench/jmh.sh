#!/usr/bin/env bash
# In-process hot paths with JMH: ring pick/owners/rebuild, address-book reads vs a plain LocalMap get,
# whereis sync messages (delta/digest) encode+decode (WireBenchmark).
# Usage: bench/jmh.sh [JMH args...]   (default: 1 fork, 3 warm-up and 5 measured iterations of 1 s)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh-classpath.txt
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
  args=(-f 1 -wi 3 -w 1s -i 5 -r 1s "HashRingBenchmark|AddressBookBenchmark|WireBenchmark")
fi
timeout 1200 java -cp "target/test-classes:target/classes:$(cat target/jmh-classpath.txt)" org.openjdk.jmh.Main "${args[@]}"
