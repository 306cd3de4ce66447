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
#   4. builds the gateway (./mvnw -q -DskipTests package, skipped when the jar is newer than
#      src/ and pom.xml) and runs target/quarkus-app/quarkus-run.jar on GATEWAY_PORT (19090),
#      CPU 1, with the three stubs as backends, a generated RSA public key as token key and a
#      fresh embedded PostgreSQL under bench/out/pg; waits for /q/health/ready
#   5. mints an RS256 caller token with bench/mint-token.sh (openssl only) and checks it verifies
#   6. wrk (CPU 0, bench/chat.lua) against: a) one stub directly, b) the nginx proxy,
#      c) the gateway. Each target: WARMUP seconds of warm-up, then DURATION seconds measured.
#   7. CPU time per request of the measured server = delta(utime+stime+cutime+cstime) over its
#      process tree (/proc/<pid>/stat) during the measured run / requests completed
#   8. prints a table + gateway/nginx ratios; non-2xx responses and socket errors are reported
#      loudly and make the script exit with status 2
#
# Usage:
#   bench/run.sh [--baseline-only] [--no-build] [--check-metering] [-h|--help]
#     --baseline-only   only runs a) and b); no Maven build, no gateway
#     --no-build        use the existing target/quarkus-app/quarkus-run.jar as is
#     --check-metering  after the gateway run, GET /api/chargeback?groupBy=app&from=<today>&to=<tomorrow>
#                       (UTC) with a chargeback.reader token; compare its rows' requests with those sent
#
# Environment (defaults in brackets):
#   DURATION [20s]  CONNECTIONS [64]  THREADS [1]  WARMUP [30s, 0 = none]  WRK_TIMEOUT [2s]
#   STUB_PORTS ["19081 19082 19083"]  NGINX_PORT [19080]  GATEWAY_PORT [19090]
#   DEPLOYMENT [gpt-4o]  API_VERSION [2024-10-21]
#   LOAD_CPU [0]  PROXY_CPU [1]      CPU lists given to taskset -c
#   GATEWAY_JAVA_OPTS []             extra JVM options, e.g. "-Xmx512m -XX:+UseParallelGC"
#   GATEWAY_PROPS []                 extra -D options for the gateway, appended last
#   GATEWAY_JAR [target/quarkus-app/quarkus-run.jar]  another build to measure (implies --no-build)
#   READY_TIMEOUT [120]              seconds to wait for /q/health/ready
#   KEEP_DB [0]                      1 = reuse bench/out/pg instead of starting from an empty DB
#   NOISE_PCT [25]                   warn when other processes/interrupts used more than this % of
#                                    a core during a measured run
#
# Output: the table on stdout, also saved to bench/out/results-<timestamp>.txt; raw wrk output
# in bench/out/wrk-*.txt; gateway log in bench/out/gateway.log; nginx logs under bench/out/nginx-*.
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
WRK_TIMEOUT=${WRK_TIMEOUT:-2s}
read -r -a STUB_PORT_LIST <<<"${STUB_PORTS:-19081 19082 19083}"
NGINX_PORT=${NGINX_PORT:-19080}
GATEWAY_PORT=${GATEWAY_PORT:-19090}
DEPLOYMENT=${DEPLOYMENT:-gpt-4o}
API_VERSION=${API_VERSION:-2024-10-21}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
READY_TIMEOUT=${READY_TIMEOUT:-120}
KEEP_DB=${KEEP_DB:-0}
NOISE_PCT=${NOISE_PCT:-25}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
GATEWAY_PROPS=${GATEWAY_PROPS:-}

set_caller_identity   # TENANT_ID ISSUER AUDIENCE CALLER_APPID
READER_APPID=9e4d2b61-7a3c-4c8f-b5e1-0f6a8d2c4b37      # the chargeback.reader used by --check-metering
REQ_PATH="/openai/deployments/$DEPLOYMENT/chat/completions?api-version=$API_VERSION"
JAR=${GATEWAY_JAR:-$REPO_DIR/target/quarkus-app/quarkus-run.jar}
JAR=$(abs_path "$JAR")   # absolute: java runs in bench/out

BASELINE_ONLY=0 NO_BUILD=0 CHECK_METERING=0
for arg in "$@"; do
  case $arg in
    --baseline-only) BASELINE_ONLY=1 ;;
    --no-build) NO_BUILD=1 ;;
    --check-metering) CHECK_METERING=1 ;;
    -h|--help) show_help 46; exit 0 ;;
    *) unknown_arg "$arg" ;;
  esac
done

# ----------------------------------------------------------------------------- cleanup
STUB_PID='' PROXY_PID='' GW_PID='' PG_PID=''
stop_backends() { stop_pid "$STUB_PID" "nginx stubs"; }   # called by bench_cleanup (lib.sh) after gateway and proxy
install_cleanup_trap

# results, keyed by target name
declare -A R_RPS R_P50 R_P99 R_REQS R_WARMUP_REQS R_EXTRA_REQS R_NON2XX R_SOCKERR R_CPU R_CPUPCT R_OTHER R_WRKPCT R_NOTE
TARGETS=()
ERRORS=()
NOISY=()

probe() { # probe <name> <url> [token] -> prints status, fails unless 200 + chat.completion body
  post_probe "$1" "$2" "${3:-}" '{"messages":[{"role":"user","content":"ping"}],"max_tokens":8}' \
    '"object":"chat.completion"' "$1" "a chat.completion body"
}

# bench_target <name> <base-url> <token|''> <pids to measure...>
bench_target() {
  local name=$1 base=$2 token=$3; shift 3
  local url=$base$REQ_PATH out=$OUT/wrk-$name.txt before after t0 t1 reqs non2xx sockerr
  local sys_b sys_a stub_b=0 stub_a=0 wrk_b wrk_a others=()
  local wrk_cmd; set_wrk_cmd "$BENCH_DIR/chat.lua"; wrk_cmd=("${WRK_CMD[@]}")
  TARGETS+=("$name")
  if ! probe "$name" "$url" "$token"; then
    R_NOTE[$name]="probe failed, not measured"
    ERRORS+=("$name: probe request did not return 200 chat.completion (see above); run skipped")
    return 0
  fi
  if ! duration_is_zero "$WARMUP"; then
    log "$name: warm-up $WARMUP"
    BENCH_TOKEN=$token "${wrk_cmd[@]}" -d"$WARMUP" "$url" >"$OUT/wrk-$name-warmup.txt" 2>&1 \
      || die "wrk warm-up failed for $name: $(tail -5 "$OUT/wrk-$name-warmup.txt")"
    R_WARMUP_REQS[$name]=$(wrk_requests "$OUT/wrk-$name-warmup.txt")
  fi
  log "$name: measuring $DURATION, $CONNECTIONS connections, $THREADS thread(s) -> $url"
  [[ " $* " == *" $STUB_PID "* ]] || others=("$STUB_PID")   # stubs' CPU, to tell "other" load apart
  ((${#others[@]} == 0)) || stub_b=$(cpu_ticks "${others[@]}")
  wrk_b=$(reaped_children_ticks); sys_b=$(sys_busy_ticks)
  before=$(cpu_ticks "$@"); t0=$(date +%s.%N)
  BENCH_TOKEN=$token "${wrk_cmd[@]}" -d"$DURATION" "$url" >"$out" 2>&1 \
    || die "wrk failed for $name: $(tail -5 "$out")"
  after=$(cpu_ticks "$@"); t1=$(date +%s.%N)
  sys_a=$(sys_busy_ticks); wrk_a=$(reaped_children_ticks)
  ((${#others[@]} == 0)) || stub_a=$(cpu_ticks "${others[@]}")

  reqs=$(wrk_requests "$out")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2+0}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(wrk_socket_errors "$out")
  R_REQS[$name]=$reqs
  R_RPS[$name]=$(wrk_rps "$out")
  R_P50[$name]=$(wrk_latency_ms "$out" 50%)
  R_P99[$name]=$(wrk_latency_ms "$out" 99%)
  R_NON2XX[$name]=$non2xx
  R_SOCKERR[$name]=$sockerr
  R_CPU[$name]=$(awk -v d=$((after - before)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN{ if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "n/a" }')
  R_CPUPCT[$name]=$(core_pct $((after - before)) "$t0" "$t1")
  # everything else that ran meanwhile (other processes, interrupts/softirqs), in % of one core
  R_OTHER[$name]=$(core_pct_nonneg $(( (sys_a - sys_b) - (after - before) - (stub_a - stub_b) - (wrk_a - wrk_b) )) "$t0" "$t1")
  R_WRKPCT[$name]=$(core_pct $((wrk_a - wrk_b)) "$t0" "$t1")
  log "$name: $reqs requests, ${R_RPS[$name]} req/s, p50 ${R_P50[$name]} ms, p99 ${R_P99[$name]} ms, ${R_CPU[$name]} us CPU/req (${R_CPUPCT[$name]}% of a core; wrk ${R_WRKPCT[$name]}%, other ${R_OTHER[$name]}%)"
  if ((R_OTHER[$name] > NOISE_PCT)); then
    NOISY+=("$name: ${R_OTHER[$name]}% of a core used by other processes/interrupts during the run")
  fi
  if ((non2xx > 0 || sockerr > 0)); then
    ERRORS+=("$name: $non2xx non-2xx/3xx responses, $sockerr socket errors out of $reqs requests (see $out)")
    loud "$name: $non2xx NON-2xx RESPONSES, $sockerr SOCKET ERRORS - figures for $name are not valid"
    if probe "$name-after" "$url" "$token"; then log "diagnosis: a single request now returns 200 (errors only under load)"; fi
    log "diagnosis: 3 s more load counting HTTP statuses ($OUT/wrk-$name-status.txt):"
    BENCH_COUNT_STATUS=1 BENCH_TOKEN=$token "${wrk_cmd[@]}" -d3s "$url" >"$OUT/wrk-$name-status.txt" 2>&1 || true
    grep -E '^status |Socket errors' "$OUT/wrk-$name-status.txt" | sort >&2 || true
    R_EXTRA_REQS[$name]=$(( ${R_EXTRA_REQS[$name]:-0} + $(wrk_requests "$OUT/wrk-$name-status.txt" | grep . || echo 0) + 1 ))
  fi
}

# ----------------------------------------------------------------------------- 1. tools
# shellcheck disable=SC2119  # no extra tools for run.sh
install_missing_tools
detect_host   # NGINX CLK_TCK NCPU

# per-run artifacts of a previous run would be misleading; keys, pg (see KEEP_DB) and results-* stay
prepare_out_dir "$OUT"/wrk-*.txt "$OUT"/probe-* "$OUT/usage.json" "$OUT/gateway.log" "$OUT/gateway.cmd"
check_ports_free "${STUB_PORT_LIST[@]}" "$NGINX_PORT"
((BASELINE_ONLY)) || check_ports_free "$GATEWAY_PORT"

# ----------------------------------------------------------------------------- 4a. build (early: fail fast)
((BASELINE_ONLY)) || build_gateway_if_stale "$JAR" "; use --baseline-only to measure only nginx"

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

regions=("East US" "Sweden Central" "West US 3" "France Central" "Japan East")
STUB_PREFIX=$OUT/nginx-stubs
mkdir -p "$STUB_PREFIX"
{
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
    }
EOF
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
    }
}
EOF
} >"$PROXY_PREFIX/nginx.conf"
start_nginx "$PROXY_PREFIX" "$PROXY_CPU"; PROXY_PID=$NGINX_PID
wait_http "http://127.0.0.1:$NGINX_PORT/" 10 "$PROXY_PID" || die "nginx proxy did not come up ($(tail -3 "$PROXY_PREFIX/logs/error.log" 2>/dev/null))"
# round-robin sanity check: consecutive requests must reach every stub
seen=$(for _ in $(seq $((${#STUB_PORT_LIST[@]} * 2))); do
  curl -s -o /dev/null -D - -X POST --data '{}' "http://127.0.0.1:$NGINX_PORT$REQ_PATH" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-bench-stub"{print $2}'
done | sort -u | wc -l)
((seen == ${#STUB_PORT_LIST[@]})) || die "nginx proxy reached $seen of ${#STUB_PORT_LIST[@]} stubs in round-robin check"
log "nginx proxy up on $NGINX_PORT (master $PROXY_PID, CPU $PROXY_CPU), round-robin over $seen stubs"

# ----------------------------------------------------------------------------- 6a/6b. baseline runs
STUB1_PORT=${STUB_PORT_LIST[0]}
bench_target stub "http://127.0.0.1:$STUB1_PORT" "" "$STUB_PID"
bench_target nginx "http://127.0.0.1:$NGINX_PORT" "" "$PROXY_PID"
stop_pid "$PROXY_PID" "nginx proxy"; PROXY_PID=

# ----------------------------------------------------------------------------- 4b/6c. gateway
if ((!BASELINE_ONLY)); then
  PG_DIR=$OUT/pg
  if [[ $KEEP_DB != 1 && -d $PG_DIR ]]; then rm -rf "$PG_DIR"; fi
  mkdir -p "$PG_DIR"
  gateway_command "$JAR" "$OUT/keys/public.pem" "$PG_DIR" stub bench "$DEPLOYMENT" "${STUB_PORT_LIST[@]}"   # GW_CMD
  start_gateway gateway 1   # GW_PID; 1 = print /q/health/ready's answer if it does not come up
  PG_PID=$(find_postmaster)
  if [[ -n $PG_PID ]]; then
    # In production the database is a separate service (Azure Database for PostgreSQL), not on the gateway's
    # core: move the embedded one (postmaster and backends; new backends inherit) to the load CPU, and count
    # gateway CPU as the JVM's alone. The database's share is still printed in the note.
    pin_tree "$LOAD_CPU" "$PG_PID"
    log "embedded postgres postmaster $PG_PID moved to CPU $LOAD_CPU (not counted as gateway CPU)"
  else
    log "no postmaster.pid under $PG_DIR"
  fi

  gw_java_before=$(cpu_ticks "$GW_PID")
  gw_pg_before=$( [[ -n $PG_PID ]] && cpu_ticks "$PG_PID" || echo 0)
  bench_target gateway "http://127.0.0.1:$GATEWAY_PORT" "$TOKEN" "$GW_PID"
  # note: the split below includes the warm-up, the table does not
  gw_java=$(( $(cpu_ticks "$GW_PID") - gw_java_before ))
  gw_pg=$(( $( [[ -n $PG_PID ]] && cpu_ticks "$PG_PID" || echo 0) - gw_pg_before ))
  # proc_tree of the JVM may include postgres if it is a child; report the split only when disjoint
  if [[ -n $PG_PID ]] && ! proc_tree "$GW_PID" | grep -qx "$PG_PID"; then
    R_NOTE[gateway]="CPU split (warm-up+run): JVM $((gw_java * 100 / (gw_java + gw_pg > 0 ? gw_java + gw_pg : 1)))%, postgres $((gw_pg * 100 / (gw_java + gw_pg > 0 ? gw_java + gw_pg : 1)))%"
  fi

  if ((CHECK_METERING)); then
    # from: the UTC day this script started (today, unless the run crossed midnight UTC); to: tomorrow UTC (exclusive)
    day_from=$(date -u -d "@$(( $(date +%s) - SECONDS ))" +%F)
    day_to=$(date -u -d "$(date -u +%F) + 1 day" +%F)
    report_url="http://127.0.0.1:$GATEWAY_PORT/api/chargeback?groupBy=app&from=$day_from&to=$day_to"
    log "checking metering: GET /api/chargeback?groupBy=app&from=$day_from&to=$day_to"
    READER_TOKEN=$("$BENCH_DIR/mint-token.sh" "$OUT/keys/private.pem" "$ISSUER" "$READER_APPID" "$AUDIENCE" '["chargeback.reader"]')
    sent=$(( ${R_WARMUP_REQS[gateway]:-0} + ${R_REQS[gateway]:-0} + ${R_EXTRA_REQS[gateway]:-0} + 1 ))   # +1 = probe; extra = diagnostics
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
    if [[ $code != 200 ]]; then
      METERING_LINE="metering check: GET /api/chargeback returned HTTP $code (endpoint missing or not ready?) - skipped"
    elif [[ ! $reported =~ ^[0-9]+$ ]]; then
      METERING_LINE="metering check: could not read rows[].requests in the response; raw: $(head -c 300 "$OUT/usage.json")"
    else
      METERING_LINE="metering check: gateway reports $reported requests in [$day_from, $day_to) UTC, wrk completed $sent (warm-up + run + probes/diagnostics), diff $((reported - sent)) (expected 0..$((2 * CONNECTIONS)): requests in flight when warm-up and run stopped reached the gateway but were not counted by wrk)"
    fi
    log "$METERING_LINE"
    log "chargeback report saved to $OUT/usage.json"
  fi
fi

# ----------------------------------------------------------------------------- 8. report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
RESULTS=$(new_results_file)
{
  echo
  echo "Tollgate benchmark  $(date -u '+%F %T UTC')  $(host_summary)"
  echo "load average at start $LOAD_AT_START; other% = CPU used meanwhile by anything but the measured server, the stubs and wrk (other processes, interrupts), in % of one core"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (warm-up $WARMUP) on CPU $LOAD_CPU with the stubs; measured proxy on CPU $PROXY_CPU"
  echo "POST $REQ_PATH, response $(wc -c <"$BENCH_DIR/stub-response.json" | tr -d ' ') bytes"
  echo
  printf '%-8s %10s %10s %10s %12s %7s %7s %9s %9s  %s\n' target "req/s" "p50 ms" "p99 ms" "CPU us/req" "CPU %" "other%" "non-2xx" "sock-err" note
  printf '%-8s %10s %10s %10s %12s %7s %7s %9s %9s\n' -------- ---------- ---------- ---------- ------------ ------- ------- --------- ---------
  for t in "${TARGETS[@]}"; do
    note=${R_NOTE[$t]:-}
    [[ $t == stub ]] && note="${note:+$note; }CPU = the stub nginx itself"
    if ((${R_NON2XX[$t]:-0} > 0 || ${R_SOCKERR[$t]:-0} > 0)); then note="*** ERRORS ***${note:+ $note}"; fi
    printf '%-8s %10s %10s %10s %12s %7s %7s %9s %9s  %s\n' "$t" "${R_RPS[$t]:-n/a}" "${R_P50[$t]:-n/a}" "${R_P99[$t]:-n/a}" \
      "${R_CPU[$t]:-n/a}" "${R_CPUPCT[$t]:-n/a}" "${R_OTHER[$t]:-n/a}" "${R_NON2XX[$t]:-n/a}" "${R_SOCKERR[$t]:-n/a}" "$note"
  done
  if [[ -n ${R_RPS[gateway]:-} && -n ${R_RPS[nginx]:-} ]]; then
    echo
    echo "gateway/nginx  req/s: $(ratio "${R_RPS[gateway]}" "${R_RPS[nginx]}")x   CPU per request: $(ratio "${R_CPU[gateway]}" "${R_CPU[nginx]}")x   p99: $(ratio "${R_P99[gateway]}" "${R_P99[nginx]}")x"
  fi
  [[ -n ${METERING_LINE:-} ]] && { echo; echo "$METERING_LINE"; }
  if ((${#NOISY[@]})); then
    echo
    echo "WARNING: the machine was busy with other work, req/s and latency are unreliable (CPU us/req less so):"
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
