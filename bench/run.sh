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
#     --check-metering  after the gateway run, GET /api/usage?groupBy=app&from=<today> with a
#                       chargeback.reader token and compare with the number of requests sent
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

TENANT_ID=0b5e2c7a-3f1d-4e8a-9c6b-7d2f1a4e5b90
ISSUER="https://sts.windows.net/$TENANT_ID/"
AUDIENCE=https://cognitiveservices.azure.com
CALLER_APPID=5c1f7e2a-8d3b-4f6e-a1c9-2b7d4e6f8a13      # the app that generates the load
READER_APPID=9e4d2b61-7a3c-4c8f-b5e1-0f6a8d2c4b37      # the chargeback.reader used by --check-metering
REQ_PATH="/openai/deployments/$DEPLOYMENT/chat/completions?api-version=$API_VERSION"
JAR=${GATEWAY_JAR:-$REPO_DIR/target/quarkus-app/quarkus-run.jar}
JAR=$(cd "$(dirname "$JAR")" 2>/dev/null && echo "$PWD/$(basename "$JAR")" || echo "$JAR")   # absolute: java runs in bench/out

BASELINE_ONLY=0 NO_BUILD=0 CHECK_METERING=0
for arg in "$@"; do
  case $arg in
    --baseline-only) BASELINE_ONLY=1 ;;
    --no-build) NO_BUILD=1 ;;
    --check-metering) CHECK_METERING=1 ;;
    -h|--help) sed -n '2,46p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 64 ;;
  esac
done

log()  { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }
die()  { printf '\n[bench] ERROR: %s\n' "$*" >&2; exit 1; }
loud() {
  printf '\n' >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! %s\n' "$@" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

# ----------------------------------------------------------------------------- cleanup
STUB_PID='' PROXY_PID='' GW_PID='' PG_PID=''
stop_pid() { # stop_pid <pid> <name> [grace-seconds]; only PIDs this script started
  local pid=$1 name=$2 grace=${3:-10} i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) did not stop, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -n $GW_PID ]] && { [[ -n $PG_PID ]] || PG_PID=$(find_postmaster); }
  stop_pid "$GW_PID" gateway 30
  # embedded PostgreSQL normally stops with the JVM; if it survived, stop it by its postmaster PID
  for _ in {1..50}; do [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  if [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null; then
    log "embedded postgres ($PG_PID) still running 5 s after the JVM, stopping it"
    kill -INT "$PG_PID" 2>/dev/null || true
    for _ in {1..100}; do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  stop_pid "$PROXY_PID" "nginx proxy"
  stop_pid "$STUB_PID" "nginx stubs"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ----------------------------------------------------------------------------- helpers
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

proc_tree() { # pid and all its descendants
  local p c
  for p in "$@"; do
    [[ -d /proc/$p ]] || continue
    echo "$p"
    for c in $(pgrep -P "$p" || true); do proc_tree "$c"; done
  done
}
cpu_ticks() { # sum of utime+stime+cutime+cstime (fields 14-17) over the trees rooted at "$@"
  local total=0 p s f
  for p in $(proc_tree "$@" | sort -u); do
    s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    s=${s##*) }                   # drop "pid (comm) " - comm may contain spaces
    read -r -a f <<<"$s"          # f[0] is field 3 (state)
    total=$((total + f[11] + f[12] + f[13] + f[14]))
  done
  echo "$total"
}

sys_busy_ticks() { # all CPUs, /proc/stat: user nice system irq softirq steal (not idle/iowait)
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
reaped_children_ticks() { # cutime+cstime of this shell: CPU of its finished children (wrk)
  local s f
  s=$(cat "/proc/$$/stat"); s=${s##*) }; read -r -a f <<<"$s"
  echo $((f[13] + f[14]))
}

find_postmaster() { # postmaster PID of the embedded DB (first line of postmaster.pid), if any
  local f
  f=$(find "$OUT/pg" -maxdepth 4 -name postmaster.pid 2>/dev/null | head -n1 || true)
  [[ -n $f ]] && head -n1 "$f" 2>/dev/null || true
}

wait_http() { # wait_http <url> <timeout-s> <pid-that-must-stay-alive> -> 0 when a 2xx arrives
  local url=$1 timeout=$2 pid=$3 end code
  end=$((SECONDS + timeout))
  while ((SECONDS < end)); do
    kill -0 "$pid" 2>/dev/null || return 2
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [[ $code == 2* ]] && return 0
    sleep 0.5
  done
  return 1
}

to_ms() { # wrk duration (123.45us / 1.23ms / 1.05s / 1.2m) -> milliseconds
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000; exit }
    if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v; exit }
    if (v ~ /m$/)  { sub(/m$/,  "", v); printf "%.3f", v * 60000; exit }
    if (v ~ /h$/)  { sub(/h$/,  "", v); printf "%.3f", v * 3600000; exit }
    if (v ~ /s$/)  { sub(/s$/,  "", v); printf "%.3f", v * 1000; exit }
    print "n/a" }'
}

# results, keyed by target name
declare -A R_RPS R_P50 R_P99 R_REQS R_WARMUP_REQS R_EXTRA_REQS R_NON2XX R_SOCKERR R_CPU R_CPUPCT R_OTHER R_WRKPCT R_NOTE
TARGETS=()
ERRORS=()
NOISY=()

probe() { # probe <name> <url> [token] -> prints status, fails unless 200 + chat.completion body
  local name=$1 url=$2 token=${3:-} code hdr=()
  [[ -n $token ]] && hdr=(-H "Authorization: Bearer $token")
  code=$(curl -s -o "$OUT/probe-$name.body" -D "$OUT/probe-$name.headers" -w '%{http_code}' --max-time 10 \
    -X POST -H 'Content-Type: application/json' "${hdr[@]}" \
    --data '{"messages":[{"role":"user","content":"ping"}],"max_tokens":8}' "$url" || echo 000)
  if [[ $code != 200 ]] || ! grep -q '"object":"chat.completion"' "$OUT/probe-$name.body"; then
    log "probe $name: HTTP $code, expected 200 with a chat.completion body"
    sed -n '1,15p' "$OUT/probe-$name.headers" >&2 || true
    head -c 800 "$OUT/probe-$name.body" >&2 || true; echo >&2
    return 1
  fi
}

# bench_target <name> <base-url> <token|''> <pids to measure...>
bench_target() {
  local name=$1 base=$2 token=$3; shift 3
  local url=$base$REQ_PATH out=$OUT/wrk-$name.txt before after t0 t1 reqs non2xx sockerr
  local sys_b sys_a stub_b=0 stub_a=0 wrk_b wrk_a others=()
  local wrk_cmd=(taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" --timeout "$WRK_TIMEOUT" --latency -s "$BENCH_DIR/chat.lua")
  TARGETS+=("$name")
  if ! probe "$name" "$url" "$token"; then
    R_NOTE[$name]="probe failed, not measured"
    ERRORS+=("$name: probe request did not return 200 chat.completion (see above); run skipped")
    return 0
  fi
  if [[ $WARMUP != 0 && $WARMUP != 0s ]]; then
    log "$name: warm-up $WARMUP"
    BENCH_TOKEN=$token "${wrk_cmd[@]}" -d"$WARMUP" "$url" >"$OUT/wrk-$name-warmup.txt" 2>&1 \
      || die "wrk warm-up failed for $name: $(tail -5 "$OUT/wrk-$name-warmup.txt")"
    R_WARMUP_REQS[$name]=$(awk '/ requests in /{print $1}' "$OUT/wrk-$name-warmup.txt")
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

  reqs=$(awk '/ requests in /{print $1}' "$out")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/{print $2+0}' "$out"); non2xx=${non2xx:-0}
  sockerr=$(awk '/Socket errors:/{gsub(/,/,""); print $4+$6+$8+$10}' "$out"); sockerr=${sockerr:-0}
  R_REQS[$name]=$reqs
  R_RPS[$name]=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$out")
  R_P50[$name]=$(to_ms "$(awk '$1=="50%"{print $2}' "$out")")
  R_P99[$name]=$(to_ms "$(awk '$1=="99%"{print $2}' "$out")")
  R_NON2XX[$name]=$non2xx
  R_SOCKERR[$name]=$sockerr
  R_CPU[$name]=$(awk -v d=$((after - before)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN{ if (n > 0) printf "%.1f", d * 1e6 / hz / n; else print "n/a" }')
  R_CPUPCT[$name]=$(awk -v d=$((after - before)) -v hz="$CLK_TCK" -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.0f", 100 * d / hz / (b - a) }')
  # everything else that ran meanwhile (other processes, interrupts/softirqs), in % of one core
  R_OTHER[$name]=$(awk -v d=$(( (sys_a - sys_b) - (after - before) - (stub_a - stub_b) - (wrk_a - wrk_b) )) \
    -v hz="$CLK_TCK" -v a="$t0" -v b="$t1" 'BEGIN{ v = 100 * d / hz / (b - a); printf "%.0f", v < 0 ? 0 : v }')
  R_WRKPCT[$name]=$(awk -v d=$((wrk_a - wrk_b)) -v hz="$CLK_TCK" -v a="$t0" -v b="$t1" 'BEGIN{ printf "%.0f", 100 * d / hz / (b - a) }')
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
    R_EXTRA_REQS[$name]=$(( ${R_EXTRA_REQS[$name]:-0} + $(awk '/ requests in /{print $1}' "$OUT/wrk-$name-status.txt" | grep . || echo 0) + 1 ))
  fi
}

# ----------------------------------------------------------------------------- 1. tools
need_pkgs=()
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx)
command -v openssl >/dev/null || need_pkgs+=(openssl)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v taskset >/dev/null || need_pkgs+=(util-linux)
command -v pgrep >/dev/null || need_pkgs+=(procps)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]} with apt-get"
  ((EUID == 0)) || die "need root to apt-get install ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
CLK_TCK=$(getconf CLK_TCK)
NCPU=$(nproc --all)
((NCPU >= 2)) || log "WARNING: only $NCPU CPU(s): load generator and proxy will share a core"

mkdir -p "$OUT"
log "output directory $OUT"
# per-run artifacts of a previous run would be misleading; keys, pg (see KEEP_DB) and results-* stay
rm -f "$OUT"/wrk-*.txt "$OUT"/probe-* "$OUT/usage.json" "$OUT/gateway.log" "$OUT/gateway.cmd"
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average at start: $LOAD_AT_START"
for p in "${STUB_PORT_LIST[@]}" "$NGINX_PORT"; do port_in_use "$p" && die "port $p already in use"; done
((BASELINE_ONLY)) || ! port_in_use "$GATEWAY_PORT" || die "port $GATEWAY_PORT already in use"

# ----------------------------------------------------------------------------- 4a. build (early: fail fast)
if ((!BASELINE_ONLY)); then
  if ((NO_BUILD)) || [[ -n ${GATEWAY_JAR:-} ]]; then
    [[ -f $JAR ]] || die "$JAR does not exist (--no-build / GATEWAY_JAR given, so not building)"
    log "not building: using existing $JAR"
  elif [[ -f $JAR ]] && [[ -z $(find "$REPO_DIR/src" "$REPO_DIR/pom.xml" -type f -newer "$JAR" -print -quit 2>/dev/null) ]]; then
    log "gateway jar is newer than src/ and pom.xml, not rebuilding"
  else
    log "building the gateway: ./mvnw -q -DskipTests package (log: $OUT/build.log)"
    if ! (cd "$REPO_DIR" && ./mvnw -q -DskipTests package) >"$OUT/build.log" 2>&1; then
      tail -n 40 "$OUT/build.log" >&2
      die "gateway build failed (full log $OUT/build.log); use --baseline-only to measure only nginx"
    fi
  fi
fi

# ----------------------------------------------------------------------------- 5. keys and tokens
mkdir -p "$OUT/keys"
if [[ ! -s $OUT/keys/private.pem || ! -s $OUT/keys/public.pem ]]; then
  log "generating RSA 2048 key pair in $OUT/keys"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OUT/keys/private.pem" 2>/dev/null
  openssl pkey -in "$OUT/keys/private.pem" -pubout -out "$OUT/keys/public.pem"
fi
TOKEN=$("$BENCH_DIR/mint-token.sh" "$OUT/keys/private.pem" "$ISSUER" "$CALLER_APPID" "$AUDIENCE")
"$BENCH_DIR/verify-token.sh" "$OUT/keys/public.pem" "$TOKEN" 2>/dev/null || die "minted token does not verify"
printf '%s\n' "$TOKEN" >"$OUT/keys/caller.jwt"
log "caller token minted and verified (appid $CALLER_APPID, saved to $OUT/keys/caller.jwt)"

# ----------------------------------------------------------------------------- 2. stubs
STUB_BODY=$(tr -d '\n' <"$BENCH_DIR/stub-response.json")
[[ $STUB_BODY != *[\'\$\\]* ]] || die "stub-response.json must not contain ' \$ or \\ (nginx return string)"

nginx_common() { # nginx_common <prefix>
  cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
EOF
}
http_common() { # http_common <prefix>
  cat <<EOF
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_max_body_size 4m;
    client_body_buffer_size 64k;
    client_body_temp_path $1/tmp/client_body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
EOF
}
start_nginx() { # start_nginx <prefix> <cpu> -> sets NGINX_PID to the master's pid (a child of this shell)
  local prefix=$1 cpu=$2
  mkdir -p "$prefix/logs" "$prefix/tmp"
  "$NGINX" -t -q -e "$prefix/logs/error.log" -p "$prefix" -c "$prefix/nginx.conf" >&2 \
    || die "nginx config test failed for $prefix/nginx.conf"
  taskset -c "$cpu" "$NGINX" -e "$prefix/logs/error.log" -p "$prefix" -c "$prefix/nginx.conf" \
    >>"$prefix/logs/stdout.log" 2>&1 </dev/null &
  NGINX_PID=$!
}

regions=("East US" "Sweden Central" "West US 3" "France Central" "Japan East")
STUB_PREFIX=$OUT/nginx-stubs
mkdir -p "$STUB_PREFIX"
{
  nginx_common "$STUB_PREFIX"
  echo "http {"
  http_common "$STUB_PREFIX"
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
  http_common "$PROXY_PREFIX"
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
  gw_props=(
    "-Dquarkus.http.host=127.0.0.1"
    "-Dquarkus.http.port=$GATEWAY_PORT"
    "-Dtollgate.identity.key-location=$OUT/keys/public.pem"
    "-Dtollgate.identity.issuers=$ISSUER"
    "-Dtollgate.identity.audiences=$AUDIENCE"
    "-Dtollgate.embedded-db.data-dir=$PG_DIR"
  )
  i=0
  for p in "${STUB_PORT_LIST[@]}"; do
    i=$((i + 1))
    gw_props+=("-Dtollgate.backends.stub$i.url=http://127.0.0.1:$p"
               "-Dtollgate.backends.stub$i.api-key=bench"
               "-Dtollgate.backends.stub$i.deployments=$DEPLOYMENT")
  done
  read -r -a extra_jvm <<<"$GATEWAY_JAVA_OPTS"
  read -r -a extra_props <<<"$GATEWAY_PROPS"
  gw_cmd=(java "${extra_jvm[@]}" "${gw_props[@]}" "${extra_props[@]}" -jar "$JAR")
  printf '%q ' taskset -c "$PROXY_CPU" "${gw_cmd[@]}" >"$OUT/gateway.cmd"; echo >>"$OUT/gateway.cmd"
  log "starting gateway on $GATEWAY_PORT (CPU $PROXY_CPU, log $OUT/gateway.log, command in $OUT/gateway.cmd)"
  # cwd = bench/out so that no .env / config/application.properties of the checkout is picked up
  (cd "$OUT" && exec taskset -c "$PROXY_CPU" "${gw_cmd[@]}") >"$OUT/gateway.log" 2>&1 </dev/null &
  GW_PID=$!
  t_start=$SECONDS
  if ! wait_http "http://127.0.0.1:$GATEWAY_PORT/q/health/ready" "$READY_TIMEOUT" "$GW_PID"; then
    kill -0 "$GW_PID" 2>/dev/null && why="not ready after ${READY_TIMEOUT}s" || why="exited during start-up"
    curl -s --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/q/health/ready" >&2 || true
    echo "----- tail of $OUT/gateway.log -----" >&2
    tail -n 60 "$OUT/gateway.log" >&2 || true
    die "gateway $why"
  fi
  log "gateway ready after $((SECONDS - t_start))s (pid $GW_PID)"
  PG_PID=$(find_postmaster)
  if [[ -n $PG_PID ]]; then
    # In production the database is a separate service (Azure Database for PostgreSQL), not on the gateway's
    # core: move the embedded one (postmaster and backends; new backends inherit) to the load CPU, and count
    # gateway CPU as the JVM's alone. The database's share is still printed in the note.
    for p in $(proc_tree "$PG_PID"); do taskset -a -cp "$LOAD_CPU" "$p" >/dev/null 2>&1 || true; done
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
    log "checking metering: GET /api/usage?groupBy=app&from=$(date -u +%F)"
    READER_TOKEN=$("$BENCH_DIR/mint-token.sh" "$OUT/keys/private.pem" "$ISSUER" "$READER_APPID" "$AUDIENCE" '["chargeback.reader"]')
    sent=$(( ${R_WARMUP_REQS[gateway]:-0} + ${R_REQS[gateway]:-0} + ${R_EXTRA_REQS[gateway]:-0} + 1 ))   # +1 = probe; extra = diagnostics
    usage_url="http://127.0.0.1:$GATEWAY_PORT/api/usage?groupBy=app&from=$(date -u +%F)"
    reported='' last='' code=''
    for _ in {1..10}; do   # metering may be written asynchronously: wait until the count stops moving
      code=$(curl -s -o "$OUT/usage.json" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $READER_TOKEN" "$usage_url" || echo 000)
      [[ $code == 200 ]] || break
      if command -v jq >/dev/null; then
        reported=$(jq '[.. | objects | to_entries[] | select(.key | test("^(requests|requestCount|request_count|count|calls)$"; "i")) | .value | numbers] | max // empty' "$OUT/usage.json" 2>/dev/null || true)
      else
        reported=$(grep -oiE '"(requests|requestCount|request_count|count|calls)" *: *[0-9]+' "$OUT/usage.json" | grep -oE '[0-9]+$' | sort -n | tail -n1 || true)
      fi
      [[ -n $reported && $reported == "$last" ]] && break
      last=$reported; sleep 1
    done
    if [[ $code != 200 ]]; then
      METERING_LINE="metering check: GET /api/usage returned HTTP $code (endpoint missing or not ready?) - skipped"
    elif [[ -z $reported ]]; then
      METERING_LINE="metering check: could not find a request count in the response; raw: $(head -c 300 "$OUT/usage.json")"
    else
      METERING_LINE="metering check: gateway reports $reported requests for today, wrk completed $sent (warm-up + run + probes/diagnostics), diff $((reported - sent)) (expected 0..$((2 * CONNECTIONS)): requests in flight when warm-up and run stopped reached the gateway but were not counted by wrk)"
    fi
    log "$METERING_LINE"
    log "usage response saved to $OUT/usage.json"
  fi
fi

# ----------------------------------------------------------------------------- 8. report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "n/a" }'; }
RESULTS=$OUT/results-$(date +%Y%m%d-%H%M%S).txt
{
  echo
  echo "Tollgate benchmark  $(date -u '+%F %T UTC')  $(uname -n), $NCPU CPUs, $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}')"
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
