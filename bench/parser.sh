#!/usr/bin/env bash
# How fast the usage taps read answers (JSON and SSE): MB/s, microseconds per answer and that as a share of the
# gateway's ~105 us of CPU per request, each next to a plain Jackson readTree baseline measured in the same run.
# Usage: bench/parser.sh [seconds per measurement, default 5]   (offline: MAVEN_ARGS=-o bench/parser.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
taskset -c "${CPU:-1}" java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.UsageTapBenchmark "${1:-5}" 2>&1 | grep -oE 'usage tap: .*'
