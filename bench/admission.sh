#!/usr/bin/env bash
# CPU per request that admission adds (admit + settle on one thread): no rules vs a TPM+RPM+quota+budget rule on the
# app. Usage: bench/admission.sh [requests per measurement, default 2000000]   (offline: MAVEN_ARGS=-o)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
    -Dmdep.includeScope=test >/dev/null
taskset -c "${CPU:-1}" java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" \
    dev.tollgate.bench.AdmissionBenchmark "${1:-2000000}" 2>&1 | grep -oE 'admission: .*'
