#!/usr/bin/env bash
# How long a month's chargeback report takes over millions of usage records: from the daily rollups (what
# /api/chargeback does) and, as the baseline in the same run, summed from the records. The generated database is kept
# in bench/out/chargeback-pg (generating 10M records takes minutes); delete it to start over.
# Usage: bench/chargeback.sh [records, default 10000000] [timed runs per report, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
mkdir -p bench/out
java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.ChargebackReportBenchmark "${1:-10000000}" "${2:-20}" 2>&1 | grep -oE 'chargeback bench: .*'
