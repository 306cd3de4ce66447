#!/usr/bin/env bash
# How long allocating a month of provisioned (PTU) capacity takes over millions of usage records (20 provisioned
# deployments, 200 apps, one record in 20 spilled to pay-as-you-go), and the month's chargeback report with its
# provisioned lines. The generated database is kept in bench/out/allocation-pg; delete it to start over.
# Targets: allocation under 60 s, the report under 200 ms.
# Usage: flock /tmp/tollgate-quarkus.lock bench/allocation.sh [records, default 10000000] [timed report runs, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
mkdir -p bench/out
java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.AllocationBenchmark "${1:-10000000}" "${2:-20}" 2>&1 | grep -oE 'allocation bench: .*'
