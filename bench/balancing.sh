#!/usr/bin/env bash
# bench/balancing.sh - caller-visible errors and throughput with one throttling backend:
#                      Tollgate against plain nginx round-robin, same load, same backends, same run.
#
# What it does (all on 127.0.0.1, everything it starts is stopped by PID on exit):
#   1. installs wrk, nginx, openssl with apt-get if missing (needs root), like bench/run.sh
#   2. builds the gateway (./mvnw -q -DskipTests package, skipped when the jar is newer than src/ and
#      pom.xml, or with --no-build / GATEWAY_JAR) and copies target/quarkus-app to bench/out/balancing/app,
#      so that a rebuild by someone else during the run cannot pull the jars from under it
#   3. three simulated AOAI backends sim1..sim3 (dev.tollgate.simulator.SimulatorMain, a plain JVM, CPU 0):
#      sim1 throttles hard (SIM1_TPM tokens per minute: it answers 429 with a retry-after up to the end of
#      its one-minute window within seconds), sim2 and sim3 are generous (SIM_TPM); FIRST_BYTE_DELAY before
#      each answer, CHUNK_DELAY between streamed events. They are started afresh for every measured run, so
#      both targets face the same backend state (sim1's token window starts empty).
#   4. a) nginx (1 worker, CPU 1) as a plain round-robin reverse proxy over sim1..3 that sets
#         "api-key: sim-key" upstream - what a team without Tollgate would run
#      b) Tollgate (target/quarkus-app/quarkus-run.jar, CPU 1) with backends sim1..3 serving CHAT_DEPLOYMENT
#         and EMBED_DEPLOYMENT: the implicit round-robin pool, 429 parking, failover before the first byte
#         (tollgate.proxy.max-attempts, default 3). It is warmed up for WARMUP against unthrottled simulators
#         (JIT), which are then replaced by fresh ones for the measured run.
#   5. for each target: one probe of each request kind (must be 200), then wrk (CPU 0, bench/balancing.lua)
#      for DURATION: a mix of non-streamed chat, streamed chat and embeddings (MIX, default 60/20/20), with
#      "Authorization: Bearer <token>" (ignored by nginx), statuses counted in the Lua response() hook
#   6. prints per target: requests, req/s, 2xx/s, caller-visible errors (non-2xx incl. 429, and socket
#      errors) and their share, 429s, p50/p99; and per simulated backend the requests it received and how
#      many it did not answer 2xx (= its 429s, see README), from SimulatorMain's stats file
#
# Usage:
#   bench/balancing.sh [--no-build] [-h|--help]
#     --no-build   use the existing target/quarkus-app as is (it must contain SimulatorMain)
#
# Environment (defaults in brackets):
#   DURATION [40s]  WARMUP [15s, gateway only, 0 = none]  CONNECTIONS [16]  THREADS [1]  WRK_TIMEOUT [5s]
#   MIX [60/20/20]                chat/stream/embed weights
#   SIM1_TPM [20000]              sim1's tokens per minute (the throttled one; 0 = unlimited)
#   SIM_TPM [30000000]            sim2's and sim3's tokens per minute (generous)
#   FIRST_BYTE_DELAY [20ms]  CHUNK_DELAY [5ms]       simulator latency
#   SIM_PORTS ["19181 19182 19183"]  NGINX_PORT [19180]  GATEWAY_PORT [19190]
#   CHAT_DEPLOYMENT [gpt-4o]  EMBED_DEPLOYMENT [text-embedding-3-small]  API_VERSION [2024-10-21]
#   LOAD_CPU [0]  PROXY_CPU [1]   CPU lists for taskset -c (load + simulators / proxy under test)
#   GATEWAY_JAVA_OPTS []  GATEWAY_PROPS []  extra JVM options / -D options for the gateway (appended last)
#   SIM_JAVA_OPTS [-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1]
#   GATEWAY_JAR [target/quarkus-app/quarkus-run.jar]  another build (implies --no-build)
#   MVN_FLAGS []                  extra flags for the build, e.g. -o
#   READY_TIMEOUT [120]  TOLLGATE_MAX_ERROR_PCT [1]  exit 2 when Tollgate's error share is above this
#
# Output: the tables on stdout, also saved to bench/out/balancing/results-<timestamp>.txt; raw wrk outputs,
# simulator stats/logs, nginx config/logs and the gateway log under bench/out/balancing/.
# Exit status: 0 = done, 1 = setup failure, 2 = Tollgate let more than TOLLGATE_MAX_ERROR_PCT % errors through.
# Default wall time: about 2 minutes (2 x 40 s measured + 15 s warm-up + start-ups), plus a build (~25 s).
set -euo pipefail

# ----------------------------------------------------------------------------- settings
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$BENCH_DIR/lib.sh"
LOG_TAG=balancing
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out/balancing
KEYS=$BENCH_DIR/out/keys          # shared with bench/run.sh

DURATION=${DURATION:-40s}
WARMUP=${WARMUP:-15s}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-1}
WRK_TIMEOUT=${WRK_TIMEOUT:-5s}
MIX=${MIX:-60/20/20}
SIM1_TPM=${SIM1_TPM:-20000}
SIM_TPM=${SIM_TPM:-30000000}
FIRST_BYTE_DELAY=${FIRST_BYTE_DELAY:-20ms}
CHUNK_DELAY=${CHUNK_DELAY:-5ms}
read -r -a SIM_PORT_LIST <<<"${SIM_PORTS:-19181 19182 19183}"
NGINX_PORT=${NGINX_PORT:-19180}
GATEWAY_PORT=${GATEWAY_PORT:-19190}
CHAT_DEPLOYMENT=${CHAT_DEPLOYMENT:-gpt-4o}
EMBED_DEPLOYMENT=${EMBED_DEPLOYMENT:-text-embedding-3-small}
API_VERSION=${API_VERSION:-2024-10-21}
LOAD_CPU=${LOAD_CPU:-0}
PROXY_CPU=${PROXY_CPU:-1}
GATEWAY_JAVA_OPTS=${GATEWAY_JAVA_OPTS:-}
GATEWAY_PROPS=${GATEWAY_PROPS:-}
SIM_JAVA_OPTS=${SIM_JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
MVN_FLAGS=${MVN_FLAGS:-}
READY_TIMEOUT=${READY_TIMEOUT:-120}
TOLLGATE_MAX_ERROR_PCT=${TOLLGATE_MAX_ERROR_PCT:-1}

set_caller_identity   # TENANT_ID ISSUER AUDIENCE CALLER_APPID
SIM_KEY=sim-key
CHAT_PATH="/openai/deployments/$CHAT_DEPLOYMENT/chat/completions?api-version=$API_VERSION"
EMBED_PATH="/openai/deployments/$EMBED_DEPLOYMENT/embeddings?api-version=$API_VERSION"
JAR=${GATEWAY_JAR:-$REPO_DIR/target/quarkus-app/quarkus-run.jar}
JAR=$(abs_path "$JAR")

NO_BUILD=0
for arg in "$@"; do
  case $arg in
    --no-build) NO_BUILD=1 ;;
    -h|--help) show_help 50; exit 0 ;;
    *) unknown_arg "$arg" ;;
  esac
done
((${#SIM_PORT_LIST[@]} == 3)) || { echo "SIM_PORTS must list exactly 3 ports" >&2; exit 64; }

# ----------------------------------------------------------------------------- cleanup
SIM_PID='' PROXY_PID='' GW_PID='' PG_PID=''
stop_backends() { stop_pid "$SIM_PID" simulator; }   # called by bench_cleanup (lib.sh) after gateway and proxy
install_cleanup_trap

# ----------------------------------------------------------------------------- simulators
SIM_STATS='' SIM_LOG=''
# start_sims <label> <tpm1> <tpm2> <tpm3>: a fresh SimulatorMain (new token windows, zero counters) on LOAD_CPU
start_sims() {
  local label=$1; shift
  local tpm ports
  tpm=$(IFS=,; echo "$*")
  ports=$(IFS=,; echo "${SIM_PORT_LIST[*]}")
  for p in "${SIM_PORT_LIST[@]}"; do port_in_use "$p" && die "port $p already in use (simulator of a previous run still stopping?)"; done
  SIM_STATS=$OUT/sim-$label.stats SIM_LOG=$OUT/sim-$label.log
  rm -f "$SIM_STATS"
  local cmd=(taskset -c "$LOAD_CPU" java "${SIM_JAVA_OPTS_ARR[@]}" -Dorg.jboss.logging.provider=jdk
    '-Djava.util.logging.SimpleFormatter.format=%1$tT %4$s %5$s%6$s%n'
    -cp "$APP/app/*:$APP/lib/main/*:$APP/lib/boot/*" dev.tollgate.simulator.SimulatorMain
    --host=127.0.0.1 --ports="$ports" --names=sim1,sim2,sim3 --api-key="$SIM_KEY" --tokens-per-minute="$tpm"
    --first-byte-delay="$FIRST_BYTE_DELAY" --chunk-delay="$CHUNK_DELAY" --stats-file="$SIM_STATS" --stats-interval=1s)
  printf '%q ' "${cmd[@]}" >"$OUT/sim-$label.cmd"; echo >>"$OUT/sim-$label.cmd"
  "${cmd[@]}" >"$SIM_LOG" 2>&1 </dev/null &
  SIM_PID=$!
  local end=$((SECONDS + 30))
  until [[ -s $SIM_STATS ]]; do   # written once every backend listens
    kill -0 "$SIM_PID" 2>/dev/null || { cat "$SIM_LOG" >&2; SIM_PID=; die "simulator ($label) exited during start-up"; }
    ((SECONDS < end)) || { cat "$SIM_LOG" >&2; die "simulator ($label) not listening after 30 s"; }
    sleep 0.2
  done
  log "simulators ($label) up: pid $SIM_PID, CPU $LOAD_CPU, tokens per minute sim1..3 = $tpm"
}
# stop_sims -> final counters in $SIM_STATS (SimulatorMain rewrites it on SIGTERM)
stop_sims() { stop_pid "$SIM_PID" simulator; SIM_PID=; }
sim_field() { # sim_field <stats-file> <name> <column: 4 requests, 5 served-2xx, 6 not-2xx>
  awk -v n="$2" -v c="$3" '$1 == n { print $c; found = 1 } END { if (!found) print "n/a" }' "$1"
}

# ----------------------------------------------------------------------------- probes and runs
probe() { # probe <name> <base-url> <token|''>: one request of each kind must answer 200 with the right body
  local name=$1 base=$2 token=$3 kind path body expect
  for kind in chat stream embed; do
    case $kind in
      chat)   path=$CHAT_PATH;  body='{"messages":[{"role":"user","content":"ping"}],"max_tokens":8}'; expect='"object":"chat.completion"' ;;
      stream) path=$CHAT_PATH;  body='{"messages":[{"role":"user","content":"ping"}],"max_tokens":8,"stream":true}'; expect='data: [DONE]' ;;
      embed)  path=$EMBED_PATH; body='{"input":"ping"}'; expect='"embedding"' ;;
    esac
    post_probe "$name-$kind" "$base$path" "$token" "$body" "$expect" "$name/$kind" || return 1
  done
}

declare -A R_SIMPCT R_PGPCT R_WRKPCT R_REQS R_RPS R_OK R_OKRPS R_429 R_OTHER R_SOCK R_ERR R_ERRPCT R_P50 R_P99 R_CPUPCT R_NOISE R_SENT R_STATS R_PROBES
TARGETS=()

wrk_cmd() { set_wrk_cmd "$BENCH_DIR/balancing.lua"; }   # -> WRK_CMD

# measure <key> <base-url> <token|''> <pid of the proxy>
measure() {
  local key=$1 base=$2 token=$3 pid=$4 out=$OUT/wrk-$1.txt before after t0 t1 sys_b sys_a wrk_b wrk_a sim_b sim_a pg_b=0 pg_a=0
  local -a cmd others=(); wrk_cmd; cmd=("${WRK_CMD[@]}")
  # the embedded PostgreSQL (Tollgate's metering) is counted apart when it is not a child of the proxy
  if [[ -n $PG_PID ]] && ! proc_tree "$pid" | grep -qx "$PG_PID"; then others=("$PG_PID"); fi
  log "$key: measuring $DURATION, $CONNECTIONS connections, mix $MIX (chat/stream/embed) -> $base"
  wrk_b=$(reaped_children_ticks); sys_b=$(sys_busy_ticks); sim_b=$(cpu_ticks "$SIM_PID")
  ((${#others[@]} == 0)) || pg_b=$(cpu_ticks "${others[@]}")
  before=$(cpu_ticks "$pid"); t0=$(date +%s.%N)
  BENCH_TOKEN=$token BENCH_CHAT_PATH=$CHAT_PATH BENCH_EMBED_PATH=$EMBED_PATH BENCH_MIX=$MIX \
    "${cmd[@]}" -d"$DURATION" "$base" >"$out" 2>&1 || die "wrk failed for $key: $(tail -5 "$out")"
  after=$(cpu_ticks "$pid"); t1=$(date +%s.%N)
  sys_a=$(sys_busy_ticks); wrk_a=$(reaped_children_ticks); sim_a=$(cpu_ticks "$SIM_PID")
  ((${#others[@]} == 0)) || pg_a=$(cpu_ticks "${others[@]}")

  local reqs secs ok s429 sock non2xx
  reqs=$(wrk_requests "$out")
  secs=$(awk '/ requests in /{ v = $4; sub(/,$/, "", v); print v }' "$out")   # e.g. 40.10s
  ok=$(awk -F'[ :]+' '$1 == "status" && $2 >= 200 && $2 < 300 { s += $3 } END { print s + 0 }' "$out")
  s429=$(awk -F'[ :]+' '$1 == "status" && $2 == 429 { s += $3 } END { print s + 0 }' "$out")
  non2xx=$(awk -F'[ :]+' '$1 == "status" && ($2 < 200 || $2 >= 300) { s += $3 } END { print s + 0 }' "$out")
  sock=$(wrk_socket_errors "$out")
  R_REQS[$key]=$reqs
  R_RPS[$key]=$(wrk_rps "$out")
  R_OK[$key]=$ok
  R_OKRPS[$key]=$(awk -v n="$ok" -v s="$(to_ms "$secs" 1)" 'BEGIN{ if (s > 0) printf "%.0f", n * 1000 / s; else print "n/a" }')
  R_429[$key]=$s429
  R_OTHER[$key]=$((non2xx - s429))
  R_SOCK[$key]=$sock
  R_ERR[$key]=$((non2xx + sock))
  # share of attempts: completed responses plus socket errors (a timed-out or reset request completes nothing)
  R_ERRPCT[$key]=$(awk -v e=$((non2xx + sock)) -v n=$((reqs + sock)) 'BEGIN{ if (n > 0) printf "%.2f", 100 * e / n; else print "n/a" }')
  R_P50[$key]=$(wrk_latency_ms "$out" 50% 1)
  R_P99[$key]=$(wrk_latency_ms "$out" 99% 1)
  R_CPUPCT[$key]=$(core_pct $((after - before)) "$t0" "$t1")
  R_NOISE[$key]=$(core_pct_nonneg $(( (sys_a - sys_b) - (after - before) - (wrk_a - wrk_b) - (sim_a - sim_b) - (pg_a - pg_b) )) "$t0" "$t1")
  R_SIMPCT[$key]=$(core_pct $((sim_a - sim_b)) "$t0" "$t1")
  R_PGPCT[$key]=$(core_pct $((pg_a - pg_b)) "$t0" "$t1")
  R_WRKPCT[$key]=$(core_pct $((wrk_a - wrk_b)) "$t0" "$t1")
  R_SENT[$key]=$(awk -F'[ :]+' '$1 == "sent" { printf "%s%s %s", sep, $2, $3; sep = ", " }' "$out")
  if [[ $(awk '/ requests in /{n++} END{print n+0}' "$out") != 1 || $(grep -c '^status ' "$out" || true) == 0 ]]; then
    die "could not read wrk's output for $key (see $out)"
  fi
  log "$key: $reqs requests, ${R_RPS[$key]} req/s, $ok 2xx, ${R_429[$key]} x 429, ${R_OTHER[$key]} other non-2xx, $sock socket errors (${R_ERRPCT[$key]} %), p50 ${R_P50[$key]} ms, p99 ${R_P99[$key]} ms; proxy CPU ${R_CPUPCT[$key]} % of a core"
}

# ----------------------------------------------------------------------------- 1. tools
install_missing_tools unzip:unzip
command -v java >/dev/null || die "java (17+) not found"
detect_host   # NGINX CLK_TCK NCPU
read -r -a SIM_JAVA_OPTS_ARR <<<"$SIM_JAVA_OPTS"

prepare_out_dir "$OUT"/wrk-*.txt "$OUT"/probe-* "$OUT"/sim-* "$OUT/gateway.log" "$OUT/gateway.cmd"
check_ports_free "${SIM_PORT_LIST[@]}" "$NGINX_PORT" "$GATEWAY_PORT"

# ----------------------------------------------------------------------------- 2. build, snapshot
build_gateway_if_stale "$JAR" "" "$MVN_FLAGS"
APP_SRC=$(dirname "$JAR")
[[ -d $APP_SRC/app && -d $APP_SRC/lib/main && -d $APP_SRC/lib/boot ]] || die "$APP_SRC is not a Quarkus fast-jar directory (app/, lib/main, lib/boot)"
APP=$OUT/app
rm -rf "$APP"
cp -a "$APP_SRC" "$APP" || die "could not copy $APP_SRC to $APP"
unzip -l "$APP"/app/'*.jar' 2>/dev/null | grep -q 'dev/tollgate/simulator/SimulatorMain.class' \
  || die "$APP_SRC has no dev.tollgate.simulator.SimulatorMain: rebuild (drop --no-build)"
log "running from a copy of $APP_SRC in $APP"

# ----------------------------------------------------------------------------- 3. keys and token
setup_caller_token "$KEYS"   # TOKEN

# ----------------------------------------------------------------------------- 4a. nginx round-robin
NGX=$OUT/nginx
mkdir -p "$NGX/logs" "$NGX/tmp"
{
  nginx_common "$NGX"
  echo "http {"
  http_common "$NGX"
  echo "    upstream aoai {               # plain round-robin, nginx defaults otherwise"
  for p in "${SIM_PORT_LIST[@]}"; do echo "        server 127.0.0.1:$p;"; done
  cat <<EOF
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://aoai;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization "";
            proxy_set_header api-key $SIM_KEY;
            proxy_buffering off;  # relay server-sent events as they come
        }
    }
}
EOF
} >"$NGX/nginx.conf"
nginx_config_test "$NGX" || die "nginx config test failed ($NGX/nginx.conf)"

start_sims nginx "$SIM1_TPM" "$SIM_TPM" "$SIM_TPM"
nginx_launch "$NGX" "$PROXY_CPU"; PROXY_PID=$NGINX_PID
end=$((SECONDS + 10))
until port_in_use "$NGINX_PORT"; do
  kill -0 "$PROXY_PID" 2>/dev/null && ((SECONDS < end)) || die "nginx did not come up ($(tail -3 "$NGX/logs/error.log" 2>/dev/null))"
  sleep 0.2
done
log "nginx round-robin proxy up on $NGINX_PORT (master $PROXY_PID, CPU $PROXY_CPU)"
TARGETS+=(nginx)
probe nginx "http://127.0.0.1:$NGINX_PORT" "" || die "nginx probe failed (see above)"
measure nginx "http://127.0.0.1:$NGINX_PORT" "" "$PROXY_PID"
stop_pid "$PROXY_PID" "nginx proxy"; PROXY_PID=
stop_sims; R_STATS[nginx]=$SIM_STATS

# ----------------------------------------------------------------------------- 4b. Tollgate
PG_DIR=$OUT/pg
rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
gateway_command "$APP/quarkus-run.jar" "$KEYS/public.pem" "$PG_DIR" sim "$SIM_KEY" "$CHAT_DEPLOYMENT,$EMBED_DEPLOYMENT" "${SIM_PORT_LIST[@]}"   # GW_CMD

warm=1; duration_is_zero "$WARMUP" && warm=0
if ((warm)); then start_sims warmup 0 0 0; else start_sims tollgate "$SIM1_TPM" "$SIM_TPM" "$SIM_TPM"; fi
start_gateway Tollgate   # GW_PID
PG_PID=$(find_postmaster)
if [[ -n $PG_PID ]]; then   # the database is not the gateway's: keep it off the proxy's core, as bench/run.sh does
  pin_tree "$LOAD_CPU" "$PG_PID"
fi
TARGETS+=(tollgate)
if ((warm)); then
  probe tollgate-warmup "http://127.0.0.1:$GATEWAY_PORT" "$TOKEN" || die "Tollgate probe failed (see above)"
  log "tollgate: warm-up $WARMUP against unthrottled simulators"
  wrk_cmd; wcmd=("${WRK_CMD[@]}")
  BENCH_TOKEN=$TOKEN BENCH_CHAT_PATH=$CHAT_PATH BENCH_EMBED_PATH=$EMBED_PATH BENCH_MIX=$MIX \
    "${wcmd[@]}" -d"$WARMUP" "http://127.0.0.1:$GATEWAY_PORT" >"$OUT/wrk-tollgate-warmup.txt" 2>&1 \
    || die "wrk warm-up failed: $(tail -5 "$OUT/wrk-tollgate-warmup.txt")"
  log "tollgate: warm-up done: $(wrk_requests "$OUT/wrk-tollgate-warmup.txt") requests, statuses: $(grep '^status ' "$OUT/wrk-tollgate-warmup.txt" | tr '\n' ' ')"
  stop_sims
  sleep 1   # let the gateway notice its pooled upstream connections were closed
  start_sims tollgate "$SIM1_TPM" "$SIM_TPM" "$SIM_TPM"
fi
probe tollgate "http://127.0.0.1:$GATEWAY_PORT" "$TOKEN" || die "Tollgate probe failed (see above)"
measure tollgate "http://127.0.0.1:$GATEWAY_PORT" "$TOKEN" "$GW_PID"
stop_sims; R_STATS[tollgate]=$SIM_STATS
stop_gateway

# ----------------------------------------------------------------------------- 5. report
declare -A LABEL=([nginx]="nginx round-robin" [tollgate]="Tollgate")
RESULTS=$(new_results_file)
{
  echo
  echo "Tollgate balancing benchmark  $(date -u '+%F %T UTC')  $(host_summary)"
  echo "load average at start $LOAD_AT_START"
  echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $WRK_TIMEOUT, mix chat/stream/embed $MIX (bench/balancing.lua) on CPU $LOAD_CPU; proxy on CPU $PROXY_CPU"
  echo "simulators (CPU $LOAD_CPU, fresh for each target): first byte $FIRST_BYTE_DELAY, chunk $CHUNK_DELAY, tokens/min sim1 $SIM1_TPM, sim2 $SIM_TPM, sim3 $SIM_TPM; Tollgate warm-up $WARMUP on unthrottled simulators"
  echo
  printf '%-18s %8s %7s %7s %7s %7s %6s %6s %6s %8s %8s %6s %6s\n' target requests "req/s" "2xx/s" errors "error%" 429 "other" "sock" "p50 ms" "p99 ms" "CPU%" "noise%"
  printf '%-18s %8s %7s %7s %7s %7s %6s %6s %6s %8s %8s %6s %6s\n' ------------------ -------- ------- ------- ------- ------- ------ ------ ------ -------- -------- ------ ------
  for t in "${TARGETS[@]}"; do
    printf '%-18s %8s %7s %7s %7s %7s %6s %6s %6s %8s %8s %6s %6s\n' "${LABEL[$t]}" "${R_REQS[$t]:-n/a}" "${R_RPS[$t]:-n/a}" \
      "${R_OKRPS[$t]:-n/a}" "${R_ERR[$t]:-n/a}" "${R_ERRPCT[$t]:-n/a}" "${R_429[$t]:-n/a}" "${R_OTHER[$t]:-n/a}" "${R_SOCK[$t]:-n/a}" \
      "${R_P50[$t]:-n/a}" "${R_P99[$t]:-n/a}" "${R_CPUPCT[$t]:-n/a}" "${R_NOISE[$t]:-n/a}"
  done
  echo
  echo "per simulated backend: requests received (incl. Tollgate's failover attempts and the 3 probes) / not answered 2xx"
  echo "(= its 429s, plus at most $CONNECTIONS requests still in flight when wrk stopped):"
  printf '%-8s %12s   %-24s %-24s\n' backend "tokens/min" "${LABEL[nginx]}" "${LABEL[tollgate]}"
  printf '%-8s %12s   %-24s %-24s\n' -------- ------------ ------------------------ ------------------------
  for s in sim1 sim2 sim3; do
    row=()
    for t in nginx tollgate; do
      f=${R_STATS[$t]:-}
      if [[ -n $f && -s $f ]]; then row+=("$(printf '%8s / %-8s' "$(sim_field "$f" "$s" 4)" "$(sim_field "$f" "$s" 6)")"); else row+=(n/a); fi
    done
    printf '%-8s %12s   %-24s %-24s\n' "$s" "$(sim_field "${R_STATS[nginx]}" "$s" 3)" "${row[0]}" "${row[1]}"
  done
  for t in nginx tollgate; do
    f=${R_STATS[$t]}
    up=$(awk '!/^#/ { s += $4 } END { print s + 0 }' "$f")
    echo "${LABEL[$t]}: $up upstream requests for ${R_REQS[$t]} caller requests + 3 probes ($(awk -v u="$up" -v n=$(( R_REQS[$t] + 3 )) 'BEGIN{ printf "%.3f", (n > 0 ? u / n : 0) }') per caller request); sent by wrk: ${R_SENT[$t]}"
  done
  echo
  echo "errors = non-2xx responses + socket errors seen by wrk; error% = errors / (responses + socket errors)"
  echo "2xx/s = successful responses per second (req/s counts fast 429s too); CPU% = the proxy's CPU in % of one core;"
  echo "noise% = CPU used meanwhile by anything but the proxy, wrk, the simulators (and Tollgate's embedded PostgreSQL),"
  echo "         in % of one core: other work on the machine. CPU of the rest, in % of one core:"
  for t in "${TARGETS[@]}"; do
    echo "         ${LABEL[$t]}: wrk ${R_WRKPCT[$t]:-n/a}, simulators ${R_SIMPCT[$t]:-n/a}$( [[ $t == tollgate ]] && echo ", embedded PostgreSQL ${R_PGPCT[$t]:-n/a}")"
  done
  T_ERR=${R_ERRPCT[tollgate]:-100}
  if awk -v e="$T_ERR" -v m="$TOLLGATE_MAX_ERROR_PCT" 'BEGIN{ exit !(e > m) }'; then
    echo
    echo "!!! Tollgate let ${R_ERR[tollgate]:-?} errors (${T_ERR} %) through to callers, more than TOLLGATE_MAX_ERROR_PCT=$TOLLGATE_MAX_ERROR_PCT % (see $OUT/gateway.log)"
  fi
  if [[ $(sim_field "${R_STATS[nginx]}" sim1 6) == 0 ]]; then
    echo
    echo "WARNING: sim1 never throttled during the nginx run: lower SIM1_TPM (the scenario was not reproduced)"
  fi
  for t in nginx tollgate; do
    for s in sim2 sim3; do
      n=$(sim_field "${R_STATS[$t]}" "$s" 6)
      [[ $n =~ ^[0-9]+$ ]] && ((n <= CONNECTIONS)) || echo "WARNING: $s answered $n requests other than 2xx during the ${LABEL[$t]} run: raise SIM_TPM (the system must have capacity)"
    done
  done
} | tee "$RESULTS"
log "results saved to $RESULTS"
if awk -v e="${R_ERRPCT[tollgate]:-100}" -v m="$TOLLGATE_MAX_ERROR_PCT" 'BEGIN{ exit !(e > m) }'; then
  loud "Tollgate error share ${R_ERRPCT[tollgate]:-?} % is above $TOLLGATE_MAX_ERROR_PCT %"
  exit 2
fi
