#!/usr/bin/env bash
# How many usage records per second the PostgreSQL writer stores, against the embedded PostgreSQL (a real server).
# Prints records/s and the CPU PostgreSQL spent per record (its process tree).
# Usage: bench/writer.sh [records, default 200000] [batch size, default 1000]
# DROP_INDEXES=name[,name...]: the same run without those indexes of usage_record (what each one costs per record).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
rm -rf bench/out/writer-pg  # a fresh database each run: the schema may have changed
mkdir -p bench/out
java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.UsageWriterBenchmark "${1:-200000}" "${2:-1000}" 2>&1 | grep -oE 'usage writer: .*'
