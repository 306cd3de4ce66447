#!/usr/bin/env bash
# bench/jfr-top.sh - where a JFR recording's CPU samples went, as text.
#
#   bench/jfr-top.sh <recording.jfr> [top-N, default 25] [thread-name regex, default: all threads]
#
# Reads the jdk.ExecutionSample events (Java frames of threads running Java code; time in the kernel or in native
# code is not sampled, JIT and GC threads are not either) with `jfr print --stack-depth 96` and prints:
#   1. samples per thread (thread names with their numbers folded: vert.x-eventloop-thread-N)
#   2. the top N frames by self samples (the method on top of the stack: where the CPU actually was)
#   3. the top N frames by inclusive samples (the method anywhere on the stack, once per sample: what it cost with
#      everything it called), leaving out the frames every sample of the event loop shares (the Netty loop)
#   4. samples per component of the request path (a sample counts for every component on its stack, so the shares
#      overlap: the Tollgate stages include the Jackson they call)
# Needs the JDK's `jfr` tool.
set -euo pipefail

rec=${1:?usage: bench/jfr-top.sh <recording.jfr> [top-N] [thread-regex]}
top=${2:-25}
threads=${3:-.}
[[ -s $rec ]] || { echo "no recording at $rec" >&2; exit 1; }

jfr print --events jdk.ExecutionSample --stack-depth 96 "$rec" | awk -v top="$top" -v threads="$threads" '
  BEGIN {
    ncomp = split("HTTP codecs (Netty)|Vert.x Web routing, BodyHandler|Quarkus security (proactive auth, SmallRye JWT)|" \
                  "Mutiny + context propagation|CDI client proxies and contexts (ArC)|Micrometer (all meters)|" \
                  "Jackson|Tollgate request path (dev.tollgate, event loop)|usage journal + writer threads|" \
                  "socket writes and reads (JDK NIO)", name, "|")
    re[1] = "io[.]netty[.]handler[.]codec[.]http"
    re[2] = "io[.]vertx[.]ext[.]web"
    re[3] = "runtime[.]security|smallrye[.]jwt|MpJwtValidator|HttpAuthenticator"
    re[4] = "io[.]smallrye[.]mutiny|io[.]smallrye[.]context"
    re[5] = "io[.]quarkus[.]arc"
    re[6] = "io[.]micrometer|MetricsHandler|binder[.]vertx"
    re[7] = "com[.]fasterxml[.]jackson"
    re[8] = "dev[.]tollgate"
    re[10] = "sun[.]nio[.]ch[.](SocketChannelImpl|IOUtil)"
  }
  function flush(   i, f, seen, c, hit) {
    if (n == 0 || thread !~ threads) { n = 0; return }
    total++
    self[frames[1]]++
    for (i = 1; i <= n; i++) {
      f = frames[i]
      if (!(f in seen)) { seen[f] = 1; incl[f]++ }
    }
    for (c = 1; c <= ncomp; c++) {
      hit = 0
      if (c == 9) hit = (thread ~ /usage-(journal|writer)/)
      else if (c != 8 || thread ~ /eventloop/) for (i = 1; i <= n && !hit; i++) if (frames[i] ~ re[c]) hit = 1
      if (hit) comp[c]++
    }
    n = 0
  }
  /^jdk.ExecutionSample/ { flush(); thread = ""; instack = 0; next }
  /sampledThread = / {
    t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "N", t)
    thread = t; byThread[t]++; next
  }
  /stackTrace = \[/ { instack = 1; next }
  instack && /^[[:space:]]*\]/ { instack = 0; next }
  instack && /^[[:space:]]*\.\.\./ { next }
  instack {
    f = $0; sub(/^[[:space:]]+/, "", f); sub(/[[:space:]]+line:.*/, "", f)
    frames[++n] = f; next
  }
  END {
    flush()
    if (total == 0) { print "no execution samples"; exit }
    all = 0; for (t in byThread) all += byThread[t]
    printf "%d execution samples, %d of threads matching /%s/\n\nsamples per thread\n", all, total, threads
    for (t in byThread) printf "%7d %5.1f%%  %s\n", byThread[t], 100 * byThread[t] / all, t | "sort -rn"
    close("sort -rn")
    printf "\ntop %d frames by self samples (%% of the %d samples)\n", top, total
    for (f in self) printf "%7d %5.1f%%  %s\n", self[f], 100 * self[f] / total, f | "sort -rn | head -n " top
    close("sort -rn | head -n " top)
    printf "\ntop %d frames by inclusive samples, below the event loop (%% of the %d samples)\n", top, total
    for (f in incl) {
      if (f ~ /^(java[.]lang[.]Thread[.]run|io[.]netty[.]util[.]|io[.]netty[.]channel[.]nio[.]NioEventLoop)/) continue  # run loops
      printf "%7d %5.1f%%  %s\n", incl[f], 100 * incl[f] / total, f | "sort -rn | head -n " top
    }
    close("sort -rn | head -n " top)
    printf "\nsamples per component (overlapping: a sample counts for each component on its stack)\n"
    for (c = 1; c <= ncomp; c++) printf "%7d %5.1f%%  %s\n", comp[c], 100 * comp[c] / total, name[c]
  }'
