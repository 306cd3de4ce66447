#!/usr/bin/env bash
# The fault suite of issue 11 against the packaged gateway: SIGKILL mid-stream and restart, SIGTERM under continuous
# load, SIGTERM while streams outlive the drain (recorded with an estimate before the exit), start with PostgreSQL down. Each scenario starts its own PostgreSQL (zonky), simulated backends and gateway
# processes on loopback, stops them all, and prints: requests served, records found, lost, doubled, interrupted.
# Runs JournalFaultIT (failsafe) after packaging; holds the shared Quarkus lock. About 2 minutes plus the build.
# Usage: bench/faults.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
flock /tmp/tollgate-quarkus.lock ./mvnw -B verify -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=JournalFaultIT > bench/out/faults.log 2>&1 || status=$?
grep -oE 'FAULT-SUITE .*' bench/out/faults.log | sed 's/^FAULT-SUITE //'
grep -E 'Tests run:.*JournalFaultIT' bench/out/faults.log || true
exit "${status:-0}"
