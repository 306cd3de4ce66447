#!/usr/bin/env bash
# The CPU the usage journal adds per request: the same paced requests with the journal on and off in one JVM, each
# round a pair in alternating order (UsageJournalBenchmark; process CPU time, fsync included); the headline is the
# median of the rounds' differences, with their spread. Target: at most 5 us per request. The heap is fixed and
# pre-touched, as a gateway's is once it has run a while: faulting fresh heap pages in would land in whichever side
# happened to grow the heap.
# Usage: bench/journal.sh [requests per second, default 5000] [seconds per round, default 5] [rounds, default 3]
#                         [milliseconds each request is in flight, default 100]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
java -Xms1g -Xmx1g -XX:+AlwaysPreTouch -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.metering.UsageJournalBenchmark "${1:-5000}" "${2:-5}" "${3:-3}" "${4:-100}" 2>&1 | grep -oE 'journal.*'
