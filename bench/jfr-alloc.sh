#!/usr/bin/env bash
# bench/jfr-alloc.sh - where a recording's allocations went, as text (an async-profiler allocation profile:
# PROFILE_EVENT=alloc bench/run.sh --profile=async).
#
#   bench/jfr-alloc.sh <recording.jfr> [top-N, default 30] [requests served during the recording]
#
# Reads the jdk.ObjectAllocationInNewTLAB / OutsideTLAB events (async-profiler samples one per TLAB, weighted by the
# TLAB's size) and prints, by share of the bytes (and in bytes per request when the request count is given):
#   1. the allocated classes
#   2. the owner of each allocation: the first Tollgate frame on its stack (the stage or class whose code asked for
#      it, Vert.x or Jackson work it called included), else the first frame outside the JDK; background threads
#      (the usage writer, the journal, ...) are named in brackets
# Needs the JDK's `jfr` tool.
set -euo pipefail

rec=${1:?usage: bench/jfr-alloc.sh <recording.jfr> [top-N] [requests]}
top=${2:-30}
requests=${3:-0}
[[ -s $rec ]] || { echo "no recording at $rec" >&2; exit 1; }

jfr print --events jdk.ObjectAllocationInNewTLAB,jdk.ObjectAllocationOutsideTLAB --stack-depth 64 "$rec" \
  | awk -v top="$top" -v requests="$requests" '
  function flush(   i, key) {
    if (n == 0) return
    total += weight
    byClass[cls] += weight
    key = thread ~ /eventloop/ ? "" : "[" thread "] "
    for (i = 1; i <= n; i++) if (frames[i] ~ /^dev[.]tollgate/ && frames[i] !~ /Lambda|StageTracing|GatewayRoutes/) break
    if (i > n) for (i = 1; i <= n; i++) if (frames[i] !~ /^(java|jdk|sun)[.]/) break
    byOwner[key (i > n ? frames[1] : frames[i])] += weight
    n = 0
  }
  function report(title, table,   k) {
    print "\n" title
    for (k in table) printf "%6.1f%%  %8s  %s\n", 100 * table[k] / total, perRequest(table[k]), k | "sort -rn | head -" top
    close("sort -rn | head -" top)
  }
  function perRequest(b) { return (requests > 0 ? sprintf("%.0f B/r", b / requests) : "") }
  function bytes(   v) { v = $3; if ($4 == "kB") v *= 1024; else if ($4 == "MB") v *= 1048576; return v }
  /^jdk[.]ObjectAllocation/ { flush(); instack = 0; outside = /OutsideTLAB/; next }
  /objectClass = / { cls = $0; sub(/.*objectClass = /, "", cls); sub(/ [(]classLoader.*/, "", cls); next }
  /eventThread = / { thread = $0; sub(/.*eventThread = "/, "", thread); sub(/".*/, "", thread); gsub(/[0-9]+/, "N", thread); next }
  /tlabSize = / { weight = bytes(); next }
  /allocationSize = / { if (outside) weight = bytes(); next }
  /stackTrace = \[/ { instack = 1; next }
  instack && /^[[:space:]]*\]/ { instack = 0; next }
  instack { f = $0; sub(/^[[:space:]]+/, "", f); sub(/[(].*/, "", f); if (f != "" && f != "...") frames[++n] = f; next }
  END {
    flush()
    if (total == 0) { print "no allocation samples (was the profile taken with PROFILE_EVENT=alloc?)"; exit }
    printf "%.0f MB allocated in sampled TLABs%s\n", total / 1048576,
           (requests > 0 ? sprintf(", %.1f KB per request over %d requests", total / 1024 / requests, requests) : "")
    report("by class", byClass)
    report("by owner (first Tollgate frame, else first outside the JDK; [thread] when not an event loop)", byOwner)
  }'
