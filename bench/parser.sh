#!/usr/bin/env bash
# How fast the usage taps read answers (JSON and SSE), in MB/s and microseconds per answer.
# Usage: bench/parser.sh [seconds per measurement, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
taskset -c "${CPU:-1}" java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.UsageTapBenchmark "${1:-5}" 2>&1 | grep -oE 'usage tap: .*'
