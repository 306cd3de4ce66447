#!/usr/bin/env bash
# bench/run.sh - Tollgate throughput/latency/CPU benchmark against an nginx baseline, same run.
#
# What it does (all on 127.0.0.1, everything it starts is stopped by PID on exit):
#   1. installs wrk, nginx, openssl with apt-get if missing (needs root)
#   2. starts one nginx master (1 worker, CPU 0) with three stub "Azure OpenAI" server blocks on
#      STUB_PORTS (default 19081-19083) answering any request with a fixed ~1.2 KB chat.completion
#      JSON (bench/stub-response.json) and x-ratelimit-remaining-tokens / apim-request-id /
#      x-ms-region headers
#   3. a second nginx master (1 worker, CPU 1) on NGINX_PORT (19080): round-robin proxy_pass to
#      the stubs with keepalive upstream connections - the baseline
#   3b. with --floor: bench/VertxFloorProxy.java on FLOOR_PORT (19091), CPU 1, the gateway's JVM
#      options and its own Vert.x/Netty jars (target/quarkus-app/lib/main): a bare round-robin proxy
#      on the gateway's platform - the floor of what any proxy on that platform costs
#   4. builds the gateway (./mvnw -q -DskipTests package, skipped when the jar is newer than
#      src/ and pom.xml) and runs target/quarkus-app/quarkus-run.jar on GATEWAY_PORT (19090),
#      CPU 1, with the three stubs as backends, a generated RSA public key as token key and a
#      fresh embedded PostgreSQL under bench/out/pg; waits for /q/health/ready
#   5. mints an RS256 caller token with bench/mint-token.sh (openssl only) and checks it verifies
#   6. wrk (CPU 0, bench/chat.lua) against: a) one stub directly, b) the nginx proxy, b2) the
#      Vert.x floor proxy (--floor), c) the gateway. Each target: WARMUP seconds of warm-up, then
#      DURATION seconds measured per mode (MODES): saturated (closed loop, CONNECTIONS), paced
#      (RATE req/s offered, wrk's Lua delay()), stream (SSE answers of 20 content chunks + a usage
#      chunk, STREAM_GAP apart, paced at STREAM_RATE), latency (one connection, closed loop)
#   7. CPU time per request of the measured server = delta(utime+stime+cutime+cstime) over its
#      process tree (/proc/<pid>/stat) during the measured run / requests completed; for the
#      gateway the JVM's tree without its embedded PostgreSQL, whose own tree is counted apart
#   8. prints a table + gateway/nginx ratios (+ gateway/vertx floor ones with --floor) and the
#      issue's targets (met / NOT met); non-2xx responses and socket errors are reported loudly
#      and make the script exit with status 2
#
# Usage:
#   bench/run.sh [--modes=LIST|--all] [--baseline-only] [--floor] [--no-build] [--check-metering]
#                [--profile|--profile=async]
#                [-h|--help]
#     --modes=LIST      comma-separated: saturated,paced,stream,latency (default: saturated)
#     --all             all four modes
#     --baseline-only   only runs a) and b); no Maven build, no gateway
#     --floor           also measure the Vert.x floor (rows "vertx ..."), after nginx, before the gateway:
#                       bench/VertxFloorProxy.java run by the source launcher with the gateway's JVM options
#                       and the jars of the gateway's build (its lib/main), so it needs that build too
#     --no-build        use the existing target/quarkus-app/quarkus-run.jar as is
#     --check-metering  after the gateway run, GET /api/chargeback?groupBy=app&from=<today>&to=<tomorrow>
#                       (UTC) with a chargeback.reader token; compare its rows' requests with those sent
#     --profile         a JFR recording (settings=profile) of each measured run of a JVM (the gateway, the
#                       floor), bench/out/<target>-<mode>.jfr, summarised by bench/jfr-top.sh into
#                       bench/out/profile-<target>-<mode>.txt (the recording costs the JVM 15-55 % of its CPU in
#                       these runs: read its shares, not the run's CPU figures)
#     --profile=async   the same with async-profiler (tools.profiler:async-profiler from Maven Central,
#                       fetched by Maven): CPU samples every ms from perf events, kernel and native frames
#                       included, no safepoint bias, much cheaper than JFR; written as JFR, so the same
#                       summary reads it
#
# Environment (defaults in brackets):
#   DURATION [20s]  CONNECTIONS [64]  THREADS [1]  WARMUP [30s, 0 = none]  WRK_TIMEOUT [2s]
#   STREAM_WARMUP [60s, 0 = none]   stream mode: a warm-up of its own load right before its row
#   STUB_PORTS ["19081 19082 19083"]  NGINX_PORT [19080]  GATEWAY_PORT [19090]  FLOOR_PORT [19091]
#   DEPLOYMENT [gpt-4o]  API_VERSION [2024-10-21]
#   LOAD_CPU [0]  PROXY_CPU [1]      CPU lists given to taskset -c
#   GATEWAY_JAVA_OPTS ["-XX:MaxRAM=2g" + deployment/'s JAVA_OPTS]  JVM options of the gateway and the floor; the
#                                    default sizes the heap as a replica of deployment/ is sized (a 2 GiB memory
#                                    limit), not from this machine's RAM; set it empty for the JVM's own sizing, or
#                                    add e.g. -XX:+UseParallelGC to try another collector
#   GATEWAY_PROPS []                 extra -D options for the gateway, appended last
#   GATEWAY_JAR [target/quarkus-app/quarkus-run.jar]  another build to measure (implies --no-build)
#   READY_TIMEOUT [120]              seconds to wait for /q/health/ready (and for the floor proxy)
#   KEEP_DB [0]                      1 = reuse bench/out/pg instead of starting from an empty DB
#   ADMISSION [app]                  app = the caller's app has an admission rule (tokens and requests per minute,
#                                    limits far above the load: every request is estimated, counted and settled,
#                                    none refused, so the tokenizer is never loaded); none = no rule
#   PROFILE_EVENT [cpu,interval=1ms]  --profile=async: what to sample, e.g. alloc (summarised by bench/jfr-alloc.sh,
#                                    in bytes per request), lock, or a Java method (io.netty.util.Recycler.get: every
#                                    call, with its stack)
#   NOISE_PCT [25]                   warn when other processes/interrupts used more than this % of
#                                    a core during a measured run
#   RATE [3200]                      paced mode: requests/s offered (split over THREADS)
#   STREAM_RATE [1000]               stream mode: streams/s offered
#   STREAM_GAP [1ms]                 stream mode: pause between the stub's SSE events (0 = all at once)
#   ROUNDS [1]                       saturated mode: measured rounds of DURATION (a row each)
#   DB_CPU [LOAD_CPU]                where the gateway's embedded PostgreSQL runs once the gateway is ready
#
# Output: the table on stdout, also saved to bench/out/results-<timestamp>.txt; raw wrk output
# in bench/out/wrk-*.txt; gateway log in bench/out/gateway.log, the floor's in bench/out/floor.log;
# nginx logs under bench/out/nginx-*.
# Default wall time: about 3 x (30 s + 20 s) of load + gateway start-up (+ build if needed).
set -euo pipefail

# ----------------------------------------------------------------------------- settings
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"
LOG_TAG=bench
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out

DURATION=${DURATION:-20s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-30s}
STREAM_WARMUP=${STREAM_WARMUP:-60s}
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
read -r -a STUB_PORT_LIST <<<"${STUB_PORTS:-19081 19082 19083}"
NGINX_PORT=${NGINX_PORT:-19080}
GATEWAY_PORT=${GATEWAY_PORT:-19090}
FLOOR_PORT=${FLOOR_PORT:-19091}
DEPLOYMENT=${DEPLOYMENT:-gpt-4o}
API_VERSION=${API_VERSION:-2024-10-21}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-120}
KEEP_DB=${KEEP_DB:-0}
ADMISSION=${ADMISSION:-app}
[[ $ADMISSION == app || $ADMISSION == none ]] || die "ADMISSION must be app or none, not '$ADMISSION'"
NOISE_PCT=${NOISE_PCT:-25}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS-"-XX:MaxRAM=2g -XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=6.25 -XX:NewSize=64m"}
GATEWAY_PROPS=${GATEWAY_PROPS:-}
RATE=${RATE:-3200}
STREAM_RATE=${STREAM_RATE:-1000}
STREAM_GAP=${STREAM_GAP:-1ms}
ROUNDS=${ROUNDS:-1}
DB_CPU=${DB_CPU:-$LOAD_CPU}
MODES=saturated

set_caller_identity   # TENANT_ID ISSUER AUDIENCE CALLER_APPID
READER_APPID=9e4d2b61-7a3c-4c8f-b5e1-0f6a8d2c4b37      # the chargeback.reader used by --check-metering
REQ_PATH="/openai/deployments/$DEPLOYMENT/chat/completions?api-version=$API_VERSION"
# streamed answers come from a deployment of their own: the stubs tell it by name (nginx cannot read the body)
STREAM_DEPLOYMENT=$DEPLOYMENT-sse
STREAM_PATH="/openai/deployments/$STREAM_DEPLOYMENT/chat/completions?api-version=$API_VERSION"
STREAM_BODY='{"messages":[{"role":"system","content":"You are a billing support assistant for Contoso Cloud. Answer in at most three sentences."},{"role":"user","content":"Was I charged twice for March?"}],"max_tokens":64,"stream":true,"stream_options":{"include_usage":true}}'
JAR=${GATEWAY_JAR:-$REPO_DIR/target/quarkus-app/quarkus-run.jar}
JAR=$(abs_path "$JAR")   # absolute: java runs in bench/out

PROFILE_EVENT=${PROFILE_EVENT:-cpu,interval=1ms}
BASELINE_ONLY=0 NO_BUILD=0 CHECK_METERING=0 PROFILE=0 PROFILER=jfr FLOOR=0
for arg in "$@"; do
  case $arg in
    --baseline-only) BASELINE_ONLY=1 ;;
    --floor) FLOOR=1 ;;
    --no-build) NO_BUILD=1 ;;
    --check-metering) CHECK_METERING=1 ;;
    --profile) PROFILE=1 ;;
    --profile=async) PROFILE=1 PROFILER=async ;;
    --all) MODES=saturated,paced,stream,latency ;;
    --modes=*) MODES=${arg#--modes=} ;;
    -h|--help) show_help 85; exit 0 ;;
    *) unknown_arg "$arg" ;;
  esac
done

IFS=, read -r -a MODE_LIST <<<"$MODES"
for m in "${MODE_LIST[@]}"; do
  [[ $m =~ ^(saturated|paced|stream|latency)$ ]] || die "unknown mode '$m' (saturated, paced, stream, latency)"
done
has_mode() { [[ ",$MODES," == *",$1,"* ]]; }
# STREAM_GAP as nginx's echo_sleep wants it (seconds); 0 = no pause, events leave as fast as nginx writes them
STREAM_GAP_S=$(awk -v v="$STREAM_GAP" 'BEGIN {
  if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v / 1000; exit }
  if (v ~ /s$/) { sub(/s$/, "", v) } printf "%.3f", v }')

# ----------------------------------------------------------------------------- cleanup
STUB_PID='' PROXY_PID='' GW_PID='' PG_PID='' FLOOR_PID=''
stop_backends() { # called by bench_cleanup (lib.sh) after gateway and proxy
  stop_pid "$FLOOR_PID" "vertx floor proxy"
  stop_pid "$STUB_PID" "nginx stubs"
}
install_cleanup_trap

# results, keyed by row name ("nginx", "gateway paced", ...)
declare -A R_RPS R_P50 R_P99 R_REQS R_NON2XX R_SOCKERR R_CPU R_CPUPCT R_OTHER R_WRKPCT R_NOTE R_DB R_RSS R_MODE R_GROUP R_JIT R_STEADY R_GC
declare -A SENT   # per group (stub, nginx, gateway): every request wrk or curl completed, warm-up and probes included
ROWS=()
ERRORS=()
NOISY=()

probe() { # probe <stem> <url> <token> <mode> -> 0 when the answer is 200 with the body that mode expects
  if [[ $4 == stream ]]; then
    post_probe "$1" "$2" "$3" "$STREAM_BODY" 'data: [DONE]' "$1" "an event stream ending in data: [DONE]" || return 1
    grep -qF '"usage"' "$OUT/probe-$1.body" || { log "probe $1: the stream has no usage chunk"; return 1; }
  else
    post_probe "$1" "$2" "$3" '{"messages":[{"role":"user","content":"ping"}],"max_tokens":8}' \
      '"object":"chat.completion"' "$1" "a chat.completion body"
  fi
}

# mode_load <mode> -> sets LOAD_PATH, LOAD_BODY, LOAD_RATE (per wrk thread, '' = closed loop) and WRK_CMD for it
mode_load() {
  local threads=$THREADS connections=$CONNECTIONS
  LOAD_PATH=$REQ_PATH LOAD_BODY='' LOAD_RATE=''
  case $1 in
    paced) LOAD_RATE=$(awk -v r="$RATE" -v t="$THREADS" 'BEGIN{ print r / t }') ;;
    stream) LOAD_PATH=$STREAM_PATH LOAD_BODY=$STREAM_BODY
            LOAD_RATE=$(awk -v r="$STREAM_RATE" -v t="$THREADS" 'BEGIN{ print r / t }') ;;
    latency) threads=1 connections=1 ;;
  esac
  WRK_CMD=(taskset -c "$LOAD_CPU" wrk -t"$threads" -c"$connections" --timeout "$WRK_TIMEOUT" --latency -s "$BENCH_DIR/chat.lua")
}
run_wrk() { # run_wrk <out-file> <duration> <url> [extra env...]: wrk as mode_load set it up, with TOKEN_NOW
  local out=$1 duration=$2 url=$3; shift 3
  env BENCH_TOKEN="$TOKEN_NOW" BENCH_BODY="$LOAD_BODY" BENCH_RATE="$LOAD_RATE" "$@" \
    "${WRK_CMD[@]}" -d"$duration" "$url" >"$out" 2>&1
}

# warm_up <group> <base-url> <token> [stream]: WARMUP of saturating load (JIT), counted in SENT; with "stream",
# STREAM_WARMUP of the stream mode's own load instead, right before its row: the saturated warm-up sends JSON answers
# only, so without it a JVM compiles its streaming path (event splitting, chunked relay) during the measured run
warm_up() {
  local group=$1 out=$OUT/wrk-$1-warmup${4:+-$4}.txt duration=$WARMUP
  [[ ${4:-} == stream ]] && duration=$STREAM_WARMUP
  duration_is_zero "$duration" && return 0
  TOKEN_NOW=$3; mode_load "${4:-saturated}"
  log "$group: warm-up $duration${4:+ ($4)}"
  run_wrk "$out" "$duration" "$2$LOAD_PATH" || die "wrk warm-up failed for $group: $(tail -5 "$out")"
  SENT[$group]=$(( ${SENT[$group]:-0} + $(wrk_requests "$out") ))
}

# profile_start <jvm-pid> <recording.jfr> / profile_stop <jvm-pid>: a recording of a JVM target with PROFILER
profile_start() {
  if [[ $PROFILER == async ]]; then
    # quoted: jcmd would read "start,event=cpu,..." as a named argument "start,event"
    jcmd "$1" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=$PROFILE_EVENT,file=$2\"" >/dev/null
  else
    jcmd "$1" JFR.start name=bench settings=profile "filename=$2" >/dev/null
  fi
}
profile_stop() {
  if [[ $PROFILER == async ]]; then
    jcmd "$1" JVMTI.agent_load "$ASYNC_PROFILER" stop >/dev/null
  else
    jcmd "$1" JFR.stop name=bench >/dev/null
  fi
}

# bench_target <row> <group> <mode> <base-url> <token|''> <pids to measure...>
#   one measured run. DB_PID (set for the gateway): the database's tree, left out of <pids>' and counted apart.
#   When the first pid is a JVM (gateway, vertx floor), its JIT compiler threads' CPU is counted apart too (R_JIT).
bench_target() {
  local row=$1 group=$2 mode=$3 base=$4 token=$5; shift 5
  local stem=${row// /-} url before after t0 t1 reqs non2xx sockerr db_b=0 db_a=0
  local sys_b sys_a stub_b=0 stub_a=0 wrk_b wrk_a others=() out jit_b=0 jit_a=0 jvm=0
  out=$OUT/wrk-$stem.txt
  TOKEN_NOW=$token; mode_load "$mode"; url=$base$LOAD_PATH
  ROWS+=("$row"); R_MODE[$row]=$mode; R_GROUP[$row]=$group
  if ! probe "$stem" "$url" "$token" "$mode"; then
    R_NOTE[$row]="probe failed, not measured"
    ERRORS+=("$row: probe request did not return the expected 200 answer (see above); run skipped")
    return 0
  fi
  SENT[$group]=$(( ${SENT[$group]:-0} + 1 ))
  log "$row: measuring $DURATION, ${WRK_CMD[*]:4:2}${LOAD_RATE:+, paced at $LOAD_RATE/s per thread} -> $url"
  [[ " $* " == *" $STUB_PID "* ]] || others=("$STUB_PID")   # stubs' CPU, to tell "other" load apart
  [[ -z ${DB_PID:-} ]] || others+=("$DB_PID")
  ((${#others[@]} == 0)) || stub_b=$(cpu_ticks "${others[@]}")
  [[ -z ${DB_PID:-} ]] || db_b=$(cpu_ticks "$DB_PID")
  wrk_b=$(reaped_children_ticks); sys_b=$(sys_busy_ticks)
  if is_jvm "$1"; then jvm=1; jit_b=$(jit_ticks "$1"); fi
  before=$(TREE_PRUNE=${DB_PID:-} cpu_ticks "$@"); t0=$(date +%s.%N)
  ((!PROFILE || !jvm)) || profile_start "$1" "$OUT/$group-$mode.jfr"
  run_wrk "$out" "$DURATION" "$url" || die "wrk failed for $row: $(tail -5 "$out")"
  ((!PROFILE || !jvm)) || profile_stop "$1"
  after=$(TREE_PRUNE=${DB_PID:-} cpu_ticks "$@"); t1=$(date +%s.%N)
  ((!jvm)) || jit_a=$(jit_ticks "$1")
  [[ -z ${DB_PID:-} ]] || db_a=$(cpu_ticks "$DB_PID")
  sys_a=$(sys_busy_ticks); wrk_a=$(reaped_children_ticks)
  ((${#others[@]} == 0)) || stub_a=$(cpu_ticks "${others[@]}")

  reqs=$(wrk_requests "$out")
  SENT[$group]=$(( ${SENT[$group]:-0} + reqs ))
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2+0}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(wrk_socket_errors "$out")
  R_REQS[$row]=$reqs
  R_RPS[$row]=$(wrk_rps "$out")
  R_P50[$row]=$(wrk_latency_ms "$out" 50%)
  R_P99[$row]=$(wrk_latency_ms "$out" 99%)
  R_NON2XX[$row]=$non2xx
  R_SOCKERR[$row]=$sockerr
  R_CPU[$row]=$(per_request $((after - before)) "$reqs")
  R_CPUPCT[$row]=$(core_pct $((after - before)) "$t0" "$t1")
  R_RSS[$row]=$(TREE_PRUNE=${DB_PID:-} rss_mb VmRSS "$@")
  [[ -z ${DB_PID:-} ]] || R_DB[$row]=$(per_request $((db_a - db_b)) "$reqs")
  [[ $group != gateway ]] || R_GC[$row]=$(gc_pauses "$t0" "$t1")
  if ((jvm)); then
    R_JIT[$row]=$(per_request $((jit_a - jit_b)) "$reqs")
    R_STEADY[$row]=$(per_request $((after - before - (jit_a - jit_b))) "$reqs")
  fi
  # everything else that ran meanwhile (other processes, interrupts/softirqs), in % of one core
  R_OTHER[$row]=$(core_pct_nonneg $(( (sys_a - sys_b) - (after - before) - (stub_a - stub_b) - (wrk_a - wrk_b) )) "$t0" "$t1")
  R_WRKPCT[$row]=$(core_pct $((wrk_a - wrk_b)) "$t0" "$t1")
  if [[ -n $LOAD_RATE ]]; then
    # a paced row whose target did not carry the rate offered is a saturated row in disguise
    local offered
    offered=$(awk -v r="$LOAD_RATE" -v t="$THREADS" 'BEGIN{ printf "%.0f", r * t }')
    local carried=${R_RPS[$row]}
    if ((carried * 100 < offered * 97)); then
      R_NOTE[$row]="did not carry the $offered/s offered"
      NOISY+=("$row: ${R_RPS[$row]} of the $offered req/s offered: this target could not keep up (or the load core was too busy)")
    fi
  fi
  log "$row: $reqs requests, ${R_RPS[$row]} req/s, p50 ${R_P50[$row]} ms, p99 ${R_P99[$row]} ms, ${R_CPU[$row]} us CPU/req${R_JIT[$row]:+ (JIT ${R_JIT[$row]})}${R_DB[$row]:+ + ${R_DB[$row]} us DB} (${R_CPUPCT[$row]}% of a core; wrk ${R_WRKPCT[$row]}%, other ${R_OTHER[$row]}%)${R_GC[$row]:+; ${R_GC[$row]}}"
  local other=${R_OTHER[$row]}
  if ((other > NOISE_PCT)); then
    NOISY+=("$row: ${R_OTHER[$row]}% of a core used by other processes/interrupts during the run")
  fi
  if ((non2xx > 0 || sockerr > 0)); then
    ERRORS+=("$row: $non2xx non-2xx/3xx responses, $sockerr socket errors out of $reqs requests (see $out)")
    loud "$row: $non2xx NON-2xx RESPONSES, $sockerr SOCKET ERRORS - figures for $row are not valid"
    if probe "$stem-after" "$url" "$token" "$mode"; then
      log "diagnosis: a single request now returns 200 (errors only under load)"
      SENT[$group]=$(( ${SENT[$group]:-0} + 1 ))
    fi
    log "diagnosis: 3 s more load counting HTTP statuses ($OUT/wrk-$stem-status.txt):"
    run_wrk "$OUT/wrk-$stem-status.txt" 3s "$url" BENCH_COUNT_STATUS=1 || true
    grep -E '^status |Socket errors' "$OUT/wrk-$stem-status.txt" | sort >&2 || true
    SENT[$group]=$(( ${SENT[$group]:-0} + $(wrk_requests "$OUT/wrk-$stem-status.txt" | grep . || echo 0) ))
  fi
}
is_jvm() { [[ $(readlink "/proc/$1/exe" 2>/dev/null) == */java ]]; }   # is_jvm <pid>
gc_pauses() { # gc_pauses <t0> <t1> (epoch s): the gateway's collections between them, from its GC log
  awk -v from="$1" -v to="$2" '
    match($0, /^\[[0-9]+ms\]/) {
      t = substr($0, 2, RLENGTH - 4) / 1000
      if (t < from || t > to || $0 !~ / Pause / || !match($0, /[0-9.]+ms$/)) next
      ms = substr($0, RSTART, RLENGTH - 2) + 0; n++; sum += ms; if (ms > max) max = ms; if ($0 ~ /Pause Full/) full++
    }
    END { if (n) printf "GC %d pauses, %.0f ms, max %.1f ms%s", n, sum, max, full ? ", " full " full" : "" }
  ' "$OUT/gateway-gc.log" 2>/dev/null
}
per_request() { # per_request <ticks> <requests> -> microseconds of CPU per request
  awk -v d="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN{ if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "n/a" }'
}
# measure_group <group> <base-url> <token> <pids...>: warm-up, then a row per mode (ROUNDS rows for saturated)
measure_group() {
  local group=$1 base=$2 token=$3 m r; shift 3
  warm_up "$group" "$base" "$token"
  for m in "${MODE_LIST[@]}"; do
    if [[ $m == saturated ]]; then
      for ((r = 1; r <= ROUNDS; r++)); do
        bench_target "$group$( ((ROUNDS > 1)) && echo " #$r")" "$group" saturated "$base" "$token" "$@"
      done
    else
      [[ $m != stream ]] || warm_up "$group" "$base" "$token" stream
      bench_target "$group $m" "$group" "$m" "$base" "$token" "$@"
    fi
  done
}

# ----------------------------------------------------------------------------- 1. tools
# shellcheck disable=SC2119  # no extra tools for run.sh
if ((PROFILE)) && [[ $PROFILER == async ]]; then install_missing_tools unzip:unzip; else install_missing_tools; fi
detect_host   # NGINX CLK_TCK NCPU

# per-run artifacts of a previous run would be misleading; keys, pg (see KEEP_DB) and results-* stay
prepare_out_dir "$OUT"/wrk-*.txt "$OUT"/probe-* "$OUT"/gateway-*.jfr "$OUT"/vertx-*.jfr "$OUT"/profile-*.txt "$OUT/usage.json" "$OUT/gateway.log" "$OUT/gateway.cmd" "$OUT/floor.log"
check_ports_free "${STUB_PORT_LIST[@]}" "$NGINX_PORT"
((BASELINE_ONLY)) || check_ports_free "$GATEWAY_PORT"
((!FLOOR)) || check_ports_free "$FLOOR_PORT"

# ----------------------------------------------------------------------------- 4a. build (early: fail fast)
# the floor proxy runs on the jars of the gateway's build
((BASELINE_ONLY && !FLOOR)) || build_gateway_if_stale "$JAR" "; use --baseline-only to measure only nginx"
if ((PROFILE)) && [[ $PROFILER == async ]]; then
  # async-profiler's agent from Maven Central (its jar holds the native library), loaded into each measured JVM
  AP_VERSION=4.2
  AP_JAR=${MAVEN_REPO:-$HOME/.m2/repository}/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION-linux-x64.jar
  [[ -f $AP_JAR ]] || (cd "$REPO_DIR" && ./mvnw -q dependency:get "-Dartifact=tools.profiler:async-profiler:$AP_VERSION:jar:linux-x64") \
    || die "could not fetch async-profiler $AP_VERSION from Maven Central"
  mkdir -p "$OUT/async-profiler" && unzip -o -q "$AP_JAR" -d "$OUT/async-profiler"
  ASYNC_PROFILER=$OUT/async-profiler/linux-x64/libasyncProfiler.so
  [[ -f $ASYNC_PROFILER ]] || die "no libasyncProfiler.so in $AP_JAR"
fi

# ----------------------------------------------------------------------------- 5. keys and tokens
setup_caller_token "$OUT/keys" "$OUT/keys/caller.jwt"   # TOKEN

# ----------------------------------------------------------------------------- 2. stubs
STUB_BODY=$(tr -d '\n' <"$BENCH_DIR/stub-response.json")
[[ $STUB_BODY != *[\'\$\\]* ]] || die "stub-response.json must not contain ' \$ or \\ (nginx return string)"

start_nginx() { # start_nginx <prefix> <cpu> -> sets NGINX_PID to the master's pid (a child of this shell)
  local prefix=$1 cpu=$2
  mkdir -p "$prefix/logs" "$prefix/tmp"
  nginx_config_test "$prefix" || die "nginx config test failed for $prefix/nginx.conf"
  nginx_launch "$prefix" "$cpu"
}

# The streamed answer: what AOAI sends for a chat completion with stream_options.include_usage, 20 content chunks
# (with their content filter results), the usage chunk and [DONE]; each event flushed on its own, STREAM_GAP apart,
# by nginx's echo module (Debian's libnginx-mod-http-echo), so that a proxy relays 22 small writes, not one.
ECHO_MODULE=/usr/lib/nginx/modules/ngx_http_echo_module.so
sse_events() { # the stub's SSE answer as nginx echo directives, one event per line
  local words=(Your March invoice shows the Standard plan until March 10 and the Basic plan after it so you
               were charged once per plan for the days of each. Nothing was billed twice.) i chunk
  local filter='"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}'
  local head='"created":1732000000,"id":"chatcmpl-AbCdEfGhIjKlMnOpQrStUvWxYz012","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291"'
  for ((i = 0; i < 20; i++)); do
    chunk="{\"choices\":[{$filter,\"delta\":{$( ((i == 0)) && printf '"role":"assistant",' )\"content\":\"${words[i]} \"},\"finish_reason\":$( ((i == 19)) && echo '"stop"' || echo null),\"index\":0,\"logprobs\":null}],$head}"
    sse_event "data: $chunk"
  done
  sse_event "data: {\"choices\":[],$head,\"usage\":{\"completion_tokens\":20,\"completion_tokens_details\":{\"accepted_prediction_tokens\":0,\"audio_tokens\":0,\"reasoning_tokens\":0,\"rejected_prediction_tokens\":0},\"prompt_tokens\":41,\"prompt_tokens_details\":{\"audio_tokens\":0,\"cached_tokens\":0},\"total_tokens\":61}}"
  sse_event "data: [DONE]" last
}
sse_event() { # sse_event <line> [last]: one event, flushed, then the gap
  echo "            echo -n '$1\\n\\n';"
  if [[ $STREAM_GAP_S != 0.000 ]]; then
    echo "            echo_flush;"
    [[ -n ${2:-} ]] || echo "            echo_sleep $STREAM_GAP_S;"
  fi
}
if has_mode stream && [[ ! -f $ECHO_MODULE ]]; then
  log "installing libnginx-mod-http-echo (nginx's echo module: the stream stub spaces its events with it)"
  ((EUID == 0)) || die "need root to apt-get install libnginx-mod-http-echo (or leave out the stream mode)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-http-echo >/dev/null \
    || die "could not install libnginx-mod-http-echo"
fi

regions=("East US" "Sweden Central" "West US 3" "France Central" "Japan East")
STUB_PREFIX=$OUT/nginx-stubs
mkdir -p "$STUB_PREFIX"
{
  if has_mode stream; then echo "load_module $ECHO_MODULE;"; fi
  nginx_common "$STUB_PREFIX"
  echo "http {"
  http_common "$STUB_PREFIX" 64k
  echo "    default_type application/json;"
  i=0
  for p in "${STUB_PORT_LIST[@]}"; do
    i=$((i + 1))
    cat <<EOF
    server {   # stub$i
        listen 127.0.0.1:$p;
        location / {
            add_header x-ratelimit-remaining-tokens 149872 always;
            add_header x-ratelimit-remaining-requests 998 always;
            add_header apim-request-id 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5$i always;
            add_header x-request-id 3b9e7c1a-2d4f-4a6b-9c8d-7e6f5a4b3c2$i always;
            add_header x-ms-region "${regions[$(((i - 1) % ${#regions[@]}))]}" always;
            add_header x-bench-stub stub$i always;
            return 200 '$STUB_BODY';
        }
EOF
    if has_mode stream; then
      cat <<EOF
        location ~ ^/openai/deployments/[^/]+-sse/ {
            default_type text/event-stream;
            add_header x-ratelimit-remaining-tokens 149872 always;
            add_header apim-request-id 6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5$i always;
            add_header x-ms-region "${regions[$(((i - 1) % ${#regions[@]}))]}" always;
            add_header x-bench-stub stub$i always;
            echo_read_request_body;
$(sse_events)
        }
EOF
    fi
    echo "    }"
  done
  echo "}"
} >"$STUB_PREFIX/nginx.conf"
start_nginx "$STUB_PREFIX" "$LOAD_CPU"; STUB_PID=$NGINX_PID
for p in "${STUB_PORT_LIST[@]}"; do
  wait_http "http://127.0.0.1:$p/" 10 "$STUB_PID" || die "stub on port $p did not come up ($(tail -3 "$STUB_PREFIX/logs/error.log" 2>/dev/null))"
done
log "stubs up on ${STUB_PORT_LIST[*]} (nginx master $STUB_PID, CPU $LOAD_CPU)"

# ----------------------------------------------------------------------------- 3. nginx baseline proxy
PROXY_PREFIX=$OUT/nginx-proxy
mkdir -p "$PROXY_PREFIX"
{
  nginx_common "$PROXY_PREFIX"
  echo "http {"
  http_common "$PROXY_PREFIX" 64k
  echo "    upstream aoai {"
  for p in "${STUB_PORT_LIST[@]}"; do echo "        server 127.0.0.1:$p;"; done
  cat <<EOF
        keepalive 64;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://aoai;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # what a gateway does at minimum: swap the caller's credential for the backend key
            proxy_set_header Authorization "";
            proxy_set_header api-key bench;
        }
        location ~ -sse/ {
            # server-sent events: every event passed on as it comes (what AOAI streaming behind nginx needs)
            proxy_pass http://aoai;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "";
            proxy_set_header api-key bench;
            proxy_buffering off;
        }
    }
}
EOF
} >"$PROXY_PREFIX/nginx.conf"
start_nginx "$PROXY_PREFIX" "$PROXY_CPU"; PROXY_PID=$NGINX_PID
wait_http "http://127.0.0.1:$NGINX_PORT/" 10 "$PROXY_PID" || die "nginx proxy did not come up ($(tail -3 "$PROXY_PREFIX/logs/error.log" 2>/dev/null))"
# round_robin_check <label> <port>: consecutive requests through the proxy must reach every stub -> sets SEEN
round_robin_check() {
  SEEN=$(for _ in $(seq $((${#STUB_PORT_LIST[@]} * 2))); do
    curl -s -o /dev/null -D - -X POST --data '{}' "http://127.0.0.1:$2$REQ_PATH" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-bench-stub"{print $2}'
  done | sort -u | wc -l)
  ((SEEN == ${#STUB_PORT_LIST[@]})) || die "$1 reached $SEEN of ${#STUB_PORT_LIST[@]} stubs in round-robin check"
}
round_robin_check "nginx proxy" "$NGINX_PORT"
log "nginx proxy up on $NGINX_PORT (master $PROXY_PID, CPU $PROXY_CPU), round-robin over $SEEN stubs"

# ----------------------------------------------------------------------------- 6a/6b. baseline runs
STUB1_PORT=${STUB_PORT_LIST[0]}
if has_mode saturated; then
  # the ceiling of this load generator + upstream on the load CPU: no warm-up, saturated only
  bench_target stub stub saturated "http://127.0.0.1:$STUB1_PORT" "" "$STUB_PID"
fi
measure_group nginx "http://127.0.0.1:$NGINX_PORT" "" "$PROXY_PID"
stop_pid "$PROXY_PID" "nginx proxy"; PROXY_PID=

# ----------------------------------------------------------------------------- 3b/6b2. vertx floor
if ((FLOOR)); then
  # the gateway's JVM options, the jars of the build measured and the Netty allocator settings Quarkus gives the
  # gateway at start (its generated ApplicationImpl), so that only Tollgate's own work differs
  read -r -a floor_jvm <<<"$GATEWAY_JAVA_OPTS"
  FLOOR_CMD=(java "${floor_jvm[@]}" -Dio.netty.allocator.maxOrder=3
             -Dio.netty.allocator.disableCacheFinalizersForFastThreadLocalThreads=true
             -cp "$(dirname "$JAR")/lib/main/*" "$BENCH_DIR/VertxFloorProxy.java" "$FLOOR_PORT" "${STUB_PORT_LIST[@]}")
  log "starting the vertx floor proxy on $FLOOR_PORT (CPU $PROXY_CPU, log $OUT/floor.log)"
  (cd "$OUT" && exec taskset -c "$PROXY_CPU" "${FLOOR_CMD[@]}") >"$OUT/floor.log" 2>&1 </dev/null &
  FLOOR_PID=$!
  if ! wait_http "http://127.0.0.1:$FLOOR_PORT/" "$READY_TIMEOUT" "$FLOOR_PID"; then
    tail -n 30 "$OUT/floor.log" >&2 || true
    die "vertx floor proxy did not come up on $FLOOR_PORT (log $OUT/floor.log)"
  fi
  round_robin_check "vertx floor proxy" "$FLOOR_PORT"
  log "vertx floor proxy up on $FLOOR_PORT (pid $FLOOR_PID, CPU $PROXY_CPU), round-robin over $SEEN stubs"
  measure_group vertx "http://127.0.0.1:$FLOOR_PORT" "" "$FLOOR_PID"
  stop_pid "$FLOOR_PID" "vertx floor proxy"; FLOOR_PID=
fi

# ----------------------------------------------------------------------------- 4b/6c. gateway
if ((!BASELINE_ONLY)); then
  PG_DIR=$OUT/pg
  if [[ $KEEP_DB != 1 && -d $PG_DIR ]]; then rm -rf "$PG_DIR"; fi
  mkdir -p "$PG_DIR"
  if [[ $ADMISSION == app ]]; then
    # Admission on, as a platform team runs it: a per-app rate limit the load never reaches.
    printf '[{"id":"bench-app","subject":{"type":"app","id":"%s"},"tokensPerMinute":1000000000,"requestsPerMinute":100000000}]\n' \
      "$CALLER_APPID" >"$OUT/admission-rules.json"
    GATEWAY_PROPS="-Dtollgate.admission.seed-file=$OUT/admission-rules.json -Dtollgate.admission.seed-mode=upsert $GATEWAY_PROPS"
  fi
  gateway_command "$JAR" "$OUT/keys/public.pem" "$PG_DIR" stub bench "$DEPLOYMENT,$STREAM_DEPLOYMENT" "${STUB_PORT_LIST[@]}"   # GW_CMD
  start_gateway gateway 1   # GW_PID; 1 = print /q/health/ready's answer if it does not come up
  PG_PID=$(find_postmaster)
  if [[ -n $PG_PID ]]; then
    # In production the database is a separate service (Azure Database for PostgreSQL), not on the gateway's
    # core: move the embedded one (postmaster and backends; new backends inherit) to DB_CPU, and count its CPU apart
    # from the JVM's (its tree is left out of the JVM's even when the postmaster is the JVM's child).
    pin_tree "$DB_CPU" "$PG_PID"
    log "embedded postgres postmaster $PG_PID moved to CPU $DB_CPU (its CPU is counted apart from the JVM's)"
  else
    log "no postmaster.pid under $PG_DIR: the database's CPU is not measured"
  fi
  DB_PID=$PG_PID
  if [[ -n $DB_PID ]]; then
    # what the database costs with no traffic at all (the gateway's own periodic queries, PostgreSQL's background
    # processes): the part of "DB us/r" that is not per record, large at low rates
    idle_b=$(cpu_ticks "$DB_PID"); idle_t0=$(date +%s.%N); sleep 5
    DB_IDLE_PCT=$(awk -v d=$(( $(cpu_ticks "$DB_PID") - idle_b )) -v hz="$CLK_TCK" -v a="$idle_t0" -v b="$(date +%s.%N)" \
      'BEGIN{ printf "%.1f", 100 * d / hz / (b - a) }')
    log "embedded postgres with the gateway idle: $DB_IDLE_PCT% of a core"
  fi
  measure_group gateway "http://127.0.0.1:$GATEWAY_PORT" "$TOKEN" "$GW_PID"
  GW_PEAK_RSS=$(TREE_PRUNE=$DB_PID rss_mb VmHWM "$GW_PID")
  if ((PROFILE)); then
    for g in vertx gateway; do
      for m in "${MODE_LIST[@]}"; do
        [[ -s $OUT/$g-$m.jfr ]] || continue
        if [[ $PROFILER == async && $PROFILE_EVENT == alloc* ]]; then
          served=0; [[ -s $OUT/wrk-$g-$m.txt ]] && served=$(wrk_requests "$OUT/wrk-$g-$m.txt")
          "$BENCH_DIR/jfr-alloc.sh" "$OUT/$g-$m.jfr" 30 "${served:-0}" >"$OUT/profile-$g-$m.txt" 2>&1 || true
        else
          "$BENCH_DIR/jfr-top.sh" "$OUT/$g-$m.jfr" 30 >"$OUT/profile-$g-$m.txt" 2>&1 || true
        fi
        log "profile of $g $m: $OUT/profile-$g-$m.txt (recording $OUT/$g-$m.jfr)"
      done
    done
  fi

  if ((CHECK_METERING)); then
    # from: the UTC day this script started (today, unless the run crossed midnight UTC); to: tomorrow UTC (exclusive)
    day_from=$(date -u -d "@$(( $(date +%s) - SECONDS ))" +%F)
    day_to=$(date -u -d "$(date -u +%F) + 1 day" +%F)
    report_url="http://127.0.0.1:$GATEWAY_PORT/api/chargeback?groupBy=app&from=$day_from&to=$day_to"
    log "checking metering: GET /api/chargeback?groupBy=app&from=$day_from&to=$day_to"
    READER_TOKEN=$("$BENCH_DIR/mint-token.sh" "$OUT/keys/private.pem" "$ISSUER" "$READER_APPID" "$AUDIENCE" '["chargeback.reader"]')
    sent=${SENT[gateway]:-0}   # warm-up + runs + probes + diagnostics
    reported='' last='' code=''
    for _ in {1..10}; do   # metering may be written asynchronously: wait until the count stops moving
      code=$(curl -s -o "$OUT/usage.json" -w '%{http_code}' --max-time 10 -H 'Accept: application/json' \
        -H "Authorization: Bearer $READER_TOKEN" "$report_url" || echo 000)
      [[ $code == 200 ]] || break
      # {"rows":[{"group":{"app":…,"appName":…},"requests":N,…},…],"total":{…}}: the sum of the rows' requests
      reported=''
      if command -v jq >/dev/null; then
        reported=$(jq '[.rows[].requests] | add // 0' "$OUT/usage.json" 2>/dev/null || true)
      elif grep -q '"rows" *:' "$OUT/usage.json"; then
        # no jq: every "requests" before "total" is a row's (text values are JSON strings, their quotes escaped)
        reported=$(tr -d '\n' <"$OUT/usage.json" | sed 's/"total" *:.*//' \
          | { grep -oE '"requests" *: *[0-9]+' || true; } | awk -F: '{ s += $2 } END { print s + 0 }')
      fi
      [[ -n $reported && $reported == "$last" ]] && break
      last=$reported; sleep 1
    done
    rows_run=$(( (${#MODE_LIST[@]} + ROUNDS) * 2 ))
    if [[ $code != 200 ]]; then
      METERING_LINE="metering check: GET /api/chargeback returned HTTP $code (endpoint missing or not ready?) - skipped"
    elif [[ ! $reported =~ ^[0-9]+$ ]]; then
      METERING_LINE="metering check: could not read rows[].requests in the response; raw: $(head -c 300 "$OUT/usage.json")"
    else
      METERING_LINE="metering check: gateway reports $reported requests in [$day_from, $day_to) UTC, wrk and curl completed $sent (warm-up + runs + probes/diagnostics), diff $((reported - sent)) (expected 0..$((rows_run * CONNECTIONS)): requests in flight when a wrk run stopped reached the gateway but were not counted by wrk)"
    fi
    log "$METERING_LINE"
    log "chargeback report saved to $OUT/usage.json"
  fi
fi

# ----------------------------------------------------------------------------- 8. report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
plus() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", a + b; else print "n/a" }'; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) printf "%.1f", a - b; else print "n/a" }'; }
# target <what> <value> <limit> -> one line of the targets block: met when value <= limit
target() {
  local verdict
  verdict=$(awk -v v="$2" -v l="$3" 'BEGIN{ if (v !~ /^[0-9.]+$/ || l !~ /^[0-9.]+$/) print "n/a"; else if (v + 0 <= l + 0) print "met"; else print "NOT met" }')
  printf '  %-58s %10s  (limit %s)  %s\n' "$1" "$2" "$3" "$verdict"
}
row_of() { # row_of <group> <mode> -> the row name (the first round for saturated)
  if [[ $2 == saturated ]]; then
    if ((ROUNDS > 1)); then echo "$1 #1"; else echo "$1"; fi
  else echo "$1 $2"; fi
}
RESULTS=$(new_results_file)
{
  echo
  echo "Tollgate benchmark  $(date -u '+%F %T UTC')  $(host_summary)"
  echo "load average at start $LOAD_AT_START; other% = CPU used meanwhile by anything but the measured server, the stubs, its database and wrk (other processes, interrupts), in % of one core"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (warm-up $WARMUP, saturating) on CPU $LOAD_CPU with the stubs; measured proxy on CPU $PROXY_CPU; gateway database on CPU $DB_CPU"
  echo "modes: $MODES; POST $REQ_PATH, response $(wc -c <"$BENCH_DIR/stub-response.json" | tr -d ' ') bytes"
  ((BASELINE_ONLY)) || echo "admission: $(if [[ $ADMISSION == app ]]; then echo "a rule on the caller's app (tokens and requests per minute, never reached)"; else echo "no rule"; fi)"
  ((BASELINE_ONLY)) || echo "JVM options (gateway and floor): ${GATEWAY_JAVA_OPTS:-none (the JVM sizes itself)}"
  has_mode paced && echo "paced: $RATE req/s offered over $CONNECTIONS connections (wrk delay())"
  has_mode stream && echo "stream: POST $STREAM_PATH, 20 content chunks + usage chunk + [DONE], $(if [[ $STREAM_GAP_S == 0.000 ]]; then echo "unspaced (one write)"; else echo "${STREAM_GAP} apart"; fi), $STREAM_RATE streams/s offered"
  has_mode latency && echo "latency: one connection, closed loop"
  if [[ -n ${DB_IDLE_PCT:-} ]]; then echo "gateway database with no traffic: $DB_IDLE_PCT% of a core (in DB us/r: that / req/s)"; fi
  echo
  printf '%-16s %8s %8s %8s %9s %9s %9s %6s %6s %6s %8s %8s  %s\n' target "req/s" "p50 ms" "p99 ms" "CPU us/r" "JIT us/r" "DB us/r" "CPU%" "other%" "RSS MB" "non-2xx" "sock-err" note
  printf '%-16s %8s %8s %8s %9s %9s %9s %6s %6s %6s %8s %8s\n' ---------------- -------- -------- -------- --------- --------- --------- ------ ------ ------ -------- --------
  for t in "${ROWS[@]}"; do
    note=${R_NOTE[$t]:-}
    [[ -z ${R_GC[$t]:-} ]] || note="${note:+$note; }${R_GC[$t]}"
    [[ $t == stub ]] && note="${note:+$note; }CPU = the stub nginx itself"
    if ((${R_NON2XX[$t]:-0} > 0 || ${R_SOCKERR[$t]:-0} > 0)); then note="*** ERRORS ***${note:+ $note}"; fi
    printf '%-16s %8s %8s %8s %9s %9s %9s %6s %6s %6s %8s %8s  %s\n' "$t" "${R_RPS[$t]:-n/a}" "${R_P50[$t]:-n/a}" "${R_P99[$t]:-n/a}" \
      "${R_CPU[$t]:-n/a}" "${R_JIT[$t]:--}" "${R_DB[$t]:--}" "${R_CPUPCT[$t]:-n/a}" "${R_OTHER[$t]:-n/a}" "${R_RSS[$t]:-n/a}" \
      "${R_NON2XX[$t]:-n/a}" "${R_SOCKERR[$t]:-n/a}" "$note"
  done
  if ((!BASELINE_ONLY)); then
    echo
    echo "gateway/nginx, same run (CPU = the JVM's; -JIT = without its JIT compiler threads; +DB = with its PostgreSQL's):"
    for m in "${MODE_LIST[@]}"; do
      g=$(row_of gateway "$m") n=$(row_of nginx "$m")
      [[ -n ${R_RPS[$g]:-} && -n ${R_RPS[$n]:-} ]] || continue
      printf '  %-10s req/s %5sx   CPU per request %5sx (-JIT %5sx, +DB %5sx)   p50 %5sx   p99 %5sx\n' "$m" \
        "$(ratio "${R_RPS[$g]}" "${R_RPS[$n]}")" "$(ratio "${R_CPU[$g]}" "${R_CPU[$n]}")" \
        "$(ratio "${R_STEADY[$g]:-}" "${R_CPU[$n]}")" \
        "$(ratio "$(plus "${R_CPU[$g]}" "${R_DB[$g]:-0}")" "${R_CPU[$n]}")" \
        "$(ratio "${R_P50[$g]}" "${R_P50[$n]}")" "$(ratio "${R_P99[$g]}" "${R_P99[$n]}")"
    done
    if ((FLOOR)); then
      echo
      echo "gateway/vertx floor, same run (the same Vert.x, Netty, JVM, options and core, proxying only; -JIT = both"
      echo "without their JIT compiler threads; over nginx: the JVMs' CPU per request -JIT minus nginx's, split into"
      echo "the platform's part (vertx - nginx) and Tollgate's own (gateway - vertx)):"
      for m in "${MODE_LIST[@]}"; do
        g=$(row_of gateway "$m") v=$(row_of vertx "$m") n=$(row_of nginx "$m")
        [[ -n ${R_RPS[$g]:-} && -n ${R_RPS[$v]:-} ]] || continue
        printf '  %-10s req/s %5sx   CPU per request %5sx (-JIT %5sx)   p50 %5sx   p99 %5sx   over nginx: platform %s, Tollgate %s us/r\n' "$m" \
          "$(ratio "${R_RPS[$g]}" "${R_RPS[$v]}")" "$(ratio "${R_CPU[$g]}" "${R_CPU[$v]}")" \
          "$(ratio "${R_STEADY[$g]:-}" "${R_STEADY[$v]:-}")" \
          "$(ratio "${R_P50[$g]}" "${R_P50[$v]}")" "$(ratio "${R_P99[$g]}" "${R_P99[$v]}")" \
          "$(minus "${R_STEADY[$v]:-}" "${R_CPU[$n]:-}")" "$(minus "${R_STEADY[$g]:-}" "${R_STEADY[$v]:-}")"
      done
    fi
    echo
    echo "issue 15's targets (this run):"
    for m in saturated paced; do
      g=$(row_of gateway "$m") n=$(row_of nginx "$m")
      [[ -n ${R_CPU[$g]:-} && -n ${R_CPU[$n]:-} ]] || continue
      target "JVM CPU per request, $m, / nginx's" "$(ratio "${R_CPU[$g]}" "${R_CPU[$n]}")" 1.5
      target "  the same without the JIT compiler's CPU" "$(ratio "${R_STEADY[$g]:-}" "${R_CPU[$n]}")" 1.5
    done
    g=$(row_of gateway stream) n=$(row_of nginx stream)
    if [[ -n ${R_CPU[$g]:-} && -n ${R_CPU[$n]:-} ]]; then
      target "CPU per stream (JVM + DB) / nginx's" "$(ratio "$(plus "${R_CPU[$g]}" "${R_DB[$g]:-0}")" "${R_CPU[$n]}")" 1.5
    fi
    for m in "${MODE_LIST[@]}"; do
      g=$(row_of gateway "$m")
      if [[ -n ${R_DB[$g]:-} ]]; then target "PostgreSQL CPU per record (us), $m" "${R_DB[$g]}" 10; fi
    done
    if has_mode saturated; then
      shed=0; for ((r = 1; r <= ROUNDS; r++)); do
        g=$(if ((ROUNDS > 1)); then echo "gateway #$r"; else echo gateway; fi); shed=$((shed + ${R_NON2XX[$g]:-0}))
      done
      target "shed (non-2xx) requests, saturated, $ROUNDS x $DURATION" "$shed" 0
    fi
    g=$(row_of gateway paced)
    if [[ -n ${R_P99[$g]:-} ]]; then target "p99 at the paced rate (ms)" "${R_P99[$g]}" 2; fi
    g=$(row_of gateway latency) n=$(row_of nginx latency)
    if [[ -n ${R_P50[$g]:-} && -n ${R_P50[$n]:-} ]]; then
      target "p50 at one connection (ms), nginx's + 0.1" "${R_P50[$g]}" "$(awk -v n="${R_P50[$n]}" 'BEGIN{ printf "%.3f", n + 0.1 }')"
    fi
    if [[ -n ${GW_PEAK_RSS:-} ]]; then target "JVM resident memory, peak over the runs (MB)" "$GW_PEAK_RSS" 300; fi
  fi
  if [[ -n ${METERING_LINE:-} ]]; then echo; echo "$METERING_LINE"; fi
  if ((${#NOISY[@]})); then
    echo
    echo "WARNING: the machine was busy with other work or a target did not carry its rate; req/s and latency of these rows are unreliable (CPU us/req less so):"
    for e in "${NOISY[@]}"; do echo "  $e"; done
  fi
  if ((${#ERRORS[@]})); then
    echo
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
    echo "!!! THIS RUN HAD ERRORS - the affected rows are not valid measurements:"
    for e in "${ERRORS[@]}"; do echo "!!!   $e"; done
    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  fi
} | tee "$RESULTS"
log "results saved to $RESULTS"
((${#ERRORS[@]} == 0)) || exit 2
