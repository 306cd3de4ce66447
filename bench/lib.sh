# shellcheck shell=bash
# bench/lib.sh - helpers shared by bench/run.sh and bench/balancing.sh. Sourced, never run:
#
#   BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
#   source "$BENCH_DIR/lib.sh"
#
# Defines functions only: sourcing it sets no variable, starts nothing and touches no file. The
# functions read the calling script's settings as globals, looked up when they run:
#   LOG_TAG        prefix of log/die lines ([bench ...] / [balancing ...]; default bench)
#   BENCH_DIR REPO_DIR OUT                     bench/, the checkout, the script's output directory
#   LOAD_CPU PROXY_CPU THREADS CONNECTIONS WRK_TIMEOUT GATEWAY_PORT READY_TIMEOUT
#   GATEWAY_JAVA_OPTS GATEWAY_PROPS GATEWAY_JAR NO_BUILD
#   NGINX CLK_TCK NCPU                         set by detect_host
#   ISSUER AUDIENCE CALLER_APPID TENANT_ID     set by set_caller_identity
#   GW_PID PG_PID PROXY_PID                    PIDs the script started ('' = none); bench_cleanup stops them
# and each script defines stop_backends (stops its stubs / simulators), called by bench_cleanup.
# Functions that set globals say so ("-> sets X"). Every function returns 0 unless it says otherwise.
#
#   logging         log die loud show_help unknown_arg
#   processes       stop_pid proc_tree cpu_ticks sys_busy_ticks reaped_children_ticks pin_tree
#                   port_in_use check_ports_free wait_http find_postmaster stop_gateway
#                   bench_cleanup install_cleanup_trap
#   setup           abs_path install_missing_tools detect_host prepare_out_dir build_gateway_if_stale
#                   set_caller_identity setup_caller_token
#   nginx           nginx_common http_common nginx_config_test nginx_launch
#   gateway         gateway_command start_gateway
#   load / results  set_wrk_cmd duration_is_zero post_probe wrk_requests wrk_rps wrk_socket_errors
#                   wrk_latency_ms to_ms core_pct core_pct_nonneg host_summary new_results_file

# ----------------------------------------------------------------------------- logging
log()  { printf '[%s %s] %s\n' "${LOG_TAG:-bench}" "$(date +%T)" "$*" >&2; }
die()  { printf '\n[%s] ERROR: %s\n' "${LOG_TAG:-bench}" "$*" >&2; exit 1; }
loud() { # loud <line...>: a !!! banner on stderr
  printf '\n' >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! %s\n' "$@" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}
show_help() { # show_help <last-line>: the script's header comment, lines 2..<last-line>, without "# "
  sed -n "2,${1}p" "$0" | sed 's/^# \{0,1\}//'
}
unknown_arg() { echo "unknown argument: $1 (try --help)" >&2; exit 64; }

# ----------------------------------------------------------------------------- processes
stop_pid() { # stop_pid <pid> <name> [grace-seconds]; only PIDs this script started
  local pid=$1 name=$2 grace=${3:-10} i
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then log "$name ($pid) did not stop, SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}

proc_tree() { # proc_tree <pid...>: each pid and all its descendants, one per line; TREE_PRUNE="<pid...>" leaves
  # those PIDs and their descendants out (the gateway's embedded PostgreSQL, accounted apart from the JVM)
  local p c
  for p in "$@"; do
    [[ -d /proc/$p ]] || continue
    [[ " ${TREE_PRUNE:-} " == *" $p "* ]] && continue
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
jit_ticks() { # jit_ticks <pid>: utime+stime of the JVM's JIT compiler threads (C1/C2 CompilerThreadN)
  awk '{ s = $0; c = s; sub(/^[0-9]+ \(/, "", c); sub(/\) .*/, "", c)
         if (c ~ /^C[12] CompilerThre/) { sub(/.*\) /, "", s); split(s, f, " "); t += f[12] + f[13] } }
       END { print t + 0 }' /proc/"$1"/task/*/stat 2>/dev/null || echo 0
}
rss_mb() { # rss_mb <field: VmRSS|VmHWM> <pid...>: that /proc/<pid>/status figure summed over the trees (TREE_PRUNE applies), MB
  local total=0 p kb
  for p in $(proc_tree "$@" | sort -u); do
    kb=$(awk -v f="$1:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo $((total / 1024))
}
sys_busy_ticks() { # all CPUs, /proc/stat: user nice system irq softirq steal (not idle/iowait)
  awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}
reaped_children_ticks() { # cutime+cstime of this shell: CPU of its finished children (wrk)
  local s f
  s=$(cat "/proc/$$/stat"); s=${s##*) }; read -r -a f <<<"$s"
  echo $((f[13] + f[14]))
}
pin_tree() { # pin_tree <cpu-list> <pid>: move the process tree (all threads; new children inherit) to <cpu-list>
  local p
  for p in $(proc_tree "$2"); do taskset -a -cp "$1" "$p" >/dev/null 2>&1 || true; done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
check_ports_free() { # check_ports_free <port...>: dies on the first one something listens on
  local p
  for p in "$@"; do port_in_use "$p" && die "port $p already in use"; done
  return 0
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

find_postmaster() { # postmaster PID of the embedded DB under $OUT/pg (first line of postmaster.pid), if any
  local f
  f=$(find "$OUT/pg" -maxdepth 4 -name postmaster.pid 2>/dev/null | head -n1 || true)
  [[ -n $f ]] && head -n1 "$f" 2>/dev/null || true
}
stop_gateway() { # stops GW_PID and, should it outlive the JVM, the embedded PostgreSQL; clears GW_PID and PG_PID
  [[ -n $GW_PID ]] || return 0
  [[ -n $PG_PID ]] || PG_PID=$(find_postmaster)
  stop_pid "$GW_PID" gateway 30; GW_PID=
  # embedded PostgreSQL normally stops with the JVM; if it survived, stop it by its postmaster PID
  for _ in {1..50}; do [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  if [[ -n $PG_PID ]] && kill -0 "$PG_PID" 2>/dev/null; then
    log "embedded postgres ($PG_PID) still running 5 s after the JVM, stopping it"
    kill -INT "$PG_PID" 2>/dev/null || true
    for _ in {1..100}; do kill -0 "$PG_PID" 2>/dev/null || break; sleep 0.1; done
  fi
  PG_PID=
}
bench_cleanup() { # EXIT trap: gateway (+ its postgres), nginx proxy, then the script's stop_backends; keeps the exit status
  local rc=$?
  trap - EXIT INT TERM
  stop_gateway
  stop_pid "$PROXY_PID" "nginx proxy"
  stop_backends
  exit "$rc"
}
install_cleanup_trap() { trap bench_cleanup EXIT; trap 'exit 130' INT TERM; }

# ----------------------------------------------------------------------------- setup
abs_path() { # abs_path <file>: absolute when its directory exists, else as given
  (cd "$(dirname "$1")" 2>/dev/null && echo "$PWD/$(basename "$1")") || echo "$1"
}

install_missing_tools() { # install_missing_tools [command:package ...]: apt-get install (needs root) whatever is missing
  # of wrk nginx openssl curl taskset pgrep and the extra commands given
  local need_pkgs=() spec
  command -v wrk >/dev/null || need_pkgs+=(wrk)
  command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need_pkgs+=(nginx)
  command -v openssl >/dev/null || need_pkgs+=(openssl)
  command -v curl >/dev/null || need_pkgs+=(curl)
  command -v taskset >/dev/null || need_pkgs+=(util-linux)
  command -v pgrep >/dev/null || need_pkgs+=(procps)
  for spec in "$@"; do command -v "${spec%%:*}" >/dev/null || need_pkgs+=("${spec#*:}"); done
  if ((${#need_pkgs[@]})); then
    log "installing ${need_pkgs[*]} with apt-get"
    ((EUID == 0)) || die "need root to apt-get install ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  fi
}
detect_host() { # -> sets NGINX (binary), CLK_TCK, NCPU; warns on a single CPU
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  CLK_TCK=$(getconf CLK_TCK)
  NCPU=$(nproc --all)
  ((NCPU >= 2)) || log "WARNING: only $NCPU CPU(s): load generator and proxy will share a core"
}
prepare_out_dir() { # prepare_out_dir [stale file...]: creates $OUT, removes the files given -> sets LOAD_AT_START
  mkdir -p "$OUT"
  log "output directory $OUT"
  rm -f "$@"
  LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
  log "load average at start: $LOAD_AT_START"
}

# build_gateway_if_stale <jar> <hint added to the failure message> [MVN_FLAGS]
#   NO_BUILD=1 or GATEWAY_JAR set: <jar> must exist. Otherwise ./mvnw -q -DskipTests [flags] package in REPO_DIR
#   (log $OUT/build.log) unless <jar> is newer than src/ and pom.xml. The flags string, when passed (even
#   empty), is split on blanks and shown in the log line.
build_gateway_if_stale() {
  local jar=$1 hint=$2 shown='' flags=()
  if (($# > 2)); then read -r -a flags <<<"$3"; shown="${flags[*]} "; fi
  if ((NO_BUILD)) || [[ -n ${GATEWAY_JAR:-} ]]; then
    [[ -f $jar ]] || die "$jar does not exist (--no-build / GATEWAY_JAR given, so not building)"
    log "not building: using existing $jar"
  elif [[ -f $jar ]] && [[ -z $(find "$REPO_DIR/src" "$REPO_DIR/pom.xml" -type f -newer "$jar" -print -quit 2>/dev/null) ]]; then
    log "gateway jar is newer than src/ and pom.xml, not rebuilding"
  else
    log "building the gateway: ./mvnw -q -DskipTests ${shown}package (log: $OUT/build.log)"
    if ! (cd "$REPO_DIR" && ./mvnw -q -DskipTests "${flags[@]}" package) >"$OUT/build.log" 2>&1; then
      tail -n 40 "$OUT/build.log" >&2
      die "gateway build failed (full log $OUT/build.log)$hint"
    fi
  fi
}

set_caller_identity() { # -> sets TENANT_ID ISSUER AUDIENCE CALLER_APPID: the Entra-style identity of the load's token
  TENANT_ID=0b5e2c7a-3f1d-4e8a-9c6b-7d2f1a4e5b90
  ISSUER="https://sts.windows.net/$TENANT_ID/"
  AUDIENCE=https://cognitiveservices.azure.com
  CALLER_APPID=5c1f7e2a-8d3b-4f6e-a1c9-2b7d4e6f8a13      # the app that generates the load
}
# setup_caller_token <keys-dir> [save-to]: RSA 2048 key pair in <keys-dir> (made once), caller token minted with
#   mint-token.sh and checked with verify-token.sh, optionally saved to a file -> sets TOKEN
setup_caller_token() {
  local keys=$1 save=${2:-}
  mkdir -p "$keys"
  if [[ ! -s $keys/private.pem || ! -s $keys/public.pem ]]; then
    log "generating RSA 2048 key pair in $keys"
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keys/private.pem" 2>/dev/null
    openssl pkey -in "$keys/private.pem" -pubout -out "$keys/public.pem"
  fi
  TOKEN=$("$BENCH_DIR/mint-token.sh" "$keys/private.pem" "$ISSUER" "$CALLER_APPID" "$AUDIENCE")
  "$BENCH_DIR/verify-token.sh" "$keys/public.pem" "$TOKEN" >/dev/null 2>&1 || die "minted token does not verify"
  if [[ -n $save ]]; then
    printf '%s\n' "$TOKEN" >"$save"
    log "caller token minted and verified (appid $CALLER_APPID, saved to $save)"
  else
    log "caller token minted and verified (appid $CALLER_APPID)"
  fi
}

# ----------------------------------------------------------------------------- nginx
nginx_common() { # nginx_common <prefix>: main context of an nginx.conf (one worker, in the foreground)
  cat <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/logs/error.log warn;
events { worker_connections 4096; }
EOF
}
http_common() { # http_common <prefix> [client_body_buffer_size]: first lines of the http block
  cat <<EOF
    access_log off;
    server_tokens off;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_max_body_size 4m;
EOF
  [[ -z ${2:-} ]] || echo "    client_body_buffer_size $2;"
  cat <<EOF
    client_body_temp_path $1/tmp/client_body;
    proxy_temp_path $1/tmp/proxy;
    fastcgi_temp_path $1/tmp/fastcgi;
    uwsgi_temp_path $1/tmp/uwsgi;
    scgi_temp_path $1/tmp/scgi;
EOF
}
nginx_config_test() { # nginx_config_test <prefix>: nginx -t of <prefix>/nginx.conf, messages on stderr
  "$NGINX" -t -q -e "$1/logs/error.log" -p "$1" -c "$1/nginx.conf" >&2
}
nginx_launch() { # nginx_launch <prefix> <cpu> -> sets NGINX_PID to the master's pid (a child of this shell)
  taskset -c "$2" "$NGINX" -e "$1/logs/error.log" -p "$1" -c "$1/nginx.conf" \
    >>"$1/logs/stdout.log" 2>&1 </dev/null &
  # shellcheck disable=SC2034  # for the caller
  NGINX_PID=$!
}

# ----------------------------------------------------------------------------- gateway
# gateway_command <jar> <public-key.pem> <pg-dir> <backend-id-prefix> <api-key> <deployments> <backend-port...>
#   -> sets GW_CMD (java, a GC log, GATEWAY_JAVA_OPTS, the -D options, GATEWAY_PROPS last, -jar <jar>); backends
#   <prefix>1..N on 127.0.0.1:<port>. Writes the full command line, with taskset, to $OUT/gateway.cmd.
gateway_command() {
  local jar=$1 key=$2 pg=$3 id=$4 api_key=$5 deployments=$6 i=0 p
  shift 6
  local props=(
    "-Dquarkus.http.host=127.0.0.1"
    "-Dquarkus.http.port=$GATEWAY_PORT"
    "-Dtollgate.identity.key-location=$key"
    "-Dtollgate.identity.issuers=$ISSUER"
    "-Dtollgate.identity.audiences=$AUDIENCE"
    "-Dtollgate.embedded-db.data-dir=$pg"
  )
  for p in "$@"; do
    i=$((i + 1))
    props+=("-Dtollgate.backends.$id$i.url=http://127.0.0.1:$p"
            "-Dtollgate.backends.$id$i.api-key=$api_key"
            "-Dtollgate.backends.$id$i.deployments=$deployments")
  done
  local extra_jvm extra_props
  read -r -a extra_jvm <<<"$GATEWAY_JAVA_OPTS"
  read -r -a extra_props <<<"$GATEWAY_PROPS"
  # every collection in $OUT/gateway-gc.log, a line each stamped in ms since the epoch: a row's pauses (gc_pauses)
  GW_CMD=(java "-Xlog:gc:file=$OUT/gateway-gc.log:timemillis,level" "${extra_jvm[@]}" "${props[@]}" "${extra_props[@]}"
          -jar "$jar")
  printf '%q ' taskset -c "$PROXY_CPU" "${GW_CMD[@]}" >"$OUT/gateway.cmd"; echo >>"$OUT/gateway.cmd"
}
# start_gateway <label> [show-health]: runs GW_CMD on PROXY_CPU in $OUT (log $OUT/gateway.log) and waits up to
#   READY_TIMEOUT s for /q/health/ready; on failure prints the log's tail (and with show-health=1 the health
#   answer) and dies -> sets GW_PID
start_gateway() {
  local label=$1 show_health=${2:-0} t_start why
  log "starting $label on $GATEWAY_PORT (CPU $PROXY_CPU, log $OUT/gateway.log, command in $OUT/gateway.cmd)"
  # cwd = $OUT so that no .env / config/application.properties of the checkout is picked up
  (cd "$OUT" && exec taskset -c "$PROXY_CPU" "${GW_CMD[@]}") >"$OUT/gateway.log" 2>&1 </dev/null &
  GW_PID=$!
  t_start=$SECONDS
  if ! wait_http "http://127.0.0.1:$GATEWAY_PORT/q/health/ready" "$READY_TIMEOUT" "$GW_PID"; then
    kill -0 "$GW_PID" 2>/dev/null && why="not ready after ${READY_TIMEOUT}s" || why="exited during start-up"
    if ((show_health)); then curl -s --max-time 2 "http://127.0.0.1:$GATEWAY_PORT/q/health/ready" >&2 || true; fi
    echo "----- tail of $OUT/gateway.log -----" >&2
    tail -n 60 "$OUT/gateway.log" >&2 || true
    die "gateway $why"
  fi
  log "$label ready after $((SECONDS - t_start))s (pid $GW_PID)"
}

# ----------------------------------------------------------------------------- load and results
set_wrk_cmd() { # set_wrk_cmd <lua-script> -> sets WRK_CMD: wrk on LOAD_CPU with THREADS, CONNECTIONS, WRK_TIMEOUT, --latency
  # shellcheck disable=SC2034  # for the caller
  WRK_CMD=(taskset -c "$LOAD_CPU" wrk -t"$THREADS" -c"$CONNECTIONS" --timeout "$WRK_TIMEOUT" --latency -s "$1")
}
duration_is_zero() { [[ $1 == 0 || $1 == 0s ]]; }   # WARMUP=0 / 0s: none

# post_probe <file-stem> <url> <token|''> <json-body> <expected-string> <label> [what-was-expected]
#   one POST with curl (answer in $OUT/probe-<file-stem>.body/.headers); returns 1, after logging the status and
#   printing headers and the start of the body, unless it is 200 with <expected-string> (fixed text) in the body
post_probe() {
  local stem=$1 url=$2 token=$3 body=$4 expect=$5 label=$6 what=${7:-$5} code hdr=()
  [[ -n $token ]] && hdr=(-H "Authorization: Bearer $token")
  code=$(curl -s -o "$OUT/probe-$stem.body" -D "$OUT/probe-$stem.headers" -w '%{http_code}' --max-time 10 \
    -X POST -H 'Content-Type: application/json' "${hdr[@]}" --data "$body" "$url" || echo 000)
  if [[ $code != 200 ]] || ! grep -qF "$expect" "$OUT/probe-$stem.body"; then
    log "probe $label: HTTP $code, expected 200 with $what"
    sed -n '1,15p' "$OUT/probe-$stem.headers" >&2 || true
    head -c 800 "$OUT/probe-$stem.body" >&2 || true; echo >&2
    return 1
  fi
}

wrk_requests() { awk '/ requests in /{print $1}' "$1"; }                     # completed requests
wrk_rps() { awk '/^Requests\/sec:/{printf "%.0f", $2}' "$1"; }               # requests/s, rounded
wrk_socket_errors() { # connect + read + write + timeout, 0 when none
  local n
  n=$(awk '/Socket errors:/{gsub(/,/,""); print $4+$6+$8+$10}' "$1")
  echo "${n:-0}"
}
wrk_latency_ms() { # wrk_latency_ms <wrk-output> <percentile, e.g. 99%> [decimals]: from --latency
  to_ms "$(awk -v p="$2" '$1==p{print $2}' "$1")" "${3:-3}"
}
to_ms() { # to_ms <wrk duration: 123.45us / 1.23ms / 1.05s / 1.2m> [decimals, default 3] -> milliseconds
  awk -v v="$1" -v f="%.${2:-3}f" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf f, v / 1000; exit }
    if (v ~ /ms$/) { sub(/ms$/, "", v); printf f, v; exit }
    if (v ~ /m$/)  { sub(/m$/,  "", v); printf f, v * 60000; exit }
    if (v ~ /h$/)  { sub(/h$/,  "", v); printf f, v * 3600000; exit }
    if (v ~ /s$/)  { sub(/s$/,  "", v); printf f, v * 1000; exit }
    print "n/a" }'
}
core_pct() { # core_pct <ticks> <t0> <t1>: CPU ticks between two date +%s.%N times, in % of one core
  awk -v d="$1" -v hz="$CLK_TCK" -v a="$2" -v b="$3" 'BEGIN{ printf "%.0f", 100 * d / hz / (b - a) }'
}
core_pct_nonneg() { # core_pct_nonneg <ticks> <t0> <t1>: the same, 0 when negative
  awk -v d="$1" -v hz="$CLK_TCK" -v a="$2" -v b="$3" 'BEGIN{ v = 100 * d / hz / (b - a); printf "%.0f", v < 0 ? 0 : v }'
}
host_summary() { # "<host>, <n> CPUs, nginx/<version>, wrk <version>" for the results header
  echo "$(uname -n), $NCPU CPUs, $("$NGINX" -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}')"
}
new_results_file() { echo "$OUT/results-$(date +%Y%m%d-%H%M%S).txt"; }
