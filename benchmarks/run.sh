#!/usr/bin/env bash
# End-to-end runs against Portico and its peers, on loopback only. One mode per call:
#
#   benchmarks/run.sh [load]     wrk against an nginx upstream serving fixed bodies, called directly and
#                                through each proxy target; one table, written as CSV and as a PNG chart
#   benchmarks/run.sh warmup     time to steady state: requests/s in 1-second wrk slices from JVM start,
#                                per JVM target; a table, the per-second series as CSV, and a PNG chart
#   benchmarks/run.sh idle       10,000 idle HTTP/1.1 keep-alive connections held open to the gateway,
#                                then a wrk run alongside: RSS, threads, requests/s, p99, errors
#   benchmarks/run.sh memory     1 GiB streamed up and 1 GiB down through a gateway JVM with -Xmx128m:
#                                peak RSS (VmHWM), GC time, MiB/s; byte counts and CRC32 checked
#   benchmarks/run.sh ab         the same load against two or more targets running side by side, measured in
#                                short slices taken in turn (A B, then B A, ...) so that the machine's drift
#                                falls on all of them: median requests/s, p99, CPU per request (and its kernel part) of each,
#                                and the median of the paired ratios to the first target, with their range
#   benchmarks/run.sh chart FILE.csv    the PNG chart of an earlier load run's CSV
#
#   mvn -B -q -pl benchmarks -am package -DskipTests     # builds benchmarks/target/benchmarks.jar
#   mvn -B -q -pl benchmarks/scg -am package -DskipTests # builds benchmarks/scg/target/benchmarks-scg.jar (scg)
#   DURATION=10 CONNECTIONS=64 BODIES="1k 64k" TARGETS="direct portico-plain" benchmarks/run.sh
#
# Targets: direct (the nginx upstream itself), nginx-proxy, and the JVM targets portico-plain,
# portico-full, jetty-proxy (ProxyTargets in benchmarks.jar) and scg (Spring Cloud Gateway 5 on Reactor
# Netty, one catch-all route, defaults otherwise; benchmarks-scg.jar). load, warmup and idle take them all.
# jetty-static is no proxy: Jetty answering the same bodies from memory, the floor under any gateway it
# hosts (load and ab take it when named). In ab, portico-full:jwt+rate-limit is portico-full with only
# the policies named (portico-full:none, with none: the same requests, token included, as portico-full).
#
# Settings are environment variables (run.sh help lists them). Every JVM target gets the same heap, connections,
# warm-up and duration. Everything started here (nginx, the gateway JVMs: one at a time, or side by side in ab; the idle and
# bulk clients, wrk) is bounded with timeout and stopped on exit; the scratch directory is removed.
# Results go to benchmarks/target/ (CSV, PNG); nothing is installed.
set -euo pipefail

MODE=${1:-load}
DURATION=${DURATION:-10}            # seconds measured per target and body (load, idle)
WARMUP=${WARMUP:-30}                # load, ab: seconds of load before measuring, discarded (10 is too few for a JVM)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}               # wrk threads
HEAP=${HEAP:-512m}                  # -Xms and -Xmx of every JVM target (not memory: that one is -Xmx128m)
BODIES=${BODIES:-"1k 64k"}
TARGETS=${TARGETS:-"direct portico-plain portico-full jetty-proxy scg nginx-proxy"}
BASE_PORT=${BASE_PORT:-18080}       # upstream; the proxies take the next ports
# warmup
WARMUP_TARGETS=${WARMUP_TARGETS:-"portico-plain portico-full jetty-proxy"}
WARMUP_BODIES=${WARMUP_BODIES:-1k}
SLICES=${SLICES:-60}                # 1-second slices measured from the JVM's first answer on
STEADY_BAND=${STEADY_BAND:-10}      # percent: steady once every later slice stays this close to the final rate
# idle
IDLE_TARGETS=${IDLE_TARGETS:-"portico-plain jetty-proxy"}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
IDLE_HOLD=${IDLE_HOLD:-$((DURATION + 10))}   # seconds the idle connections stay open once all are open
# memory
MEMORY_TARGETS=${MEMORY_TARGETS:-portico-plain}
MEMORY_BYTES=${MEMORY_BYTES:-1073741824}     # each way
MEMORY_HEAP=${MEMORY_HEAP:-128m}
MEMORY_TIMEOUT=${MEMORY_TIMEOUT:-600}        # seconds per direction
# ab
AB_TARGETS=${AB_TARGETS:-"portico-plain jetty-proxy"}   # the first is the one the others are compared with
AB_BODY=${AB_BODY:-1k}
ROUNDS=${ROUNDS:-10}                # rounds of one slice per target, the order reversed every other round
SLICE=${SLICE:-5}                   # seconds per slice

HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$HERE/target/benchmarks.jar}
SCG_JAR=${SCG_JAR:-$HERE/scg/target/benchmarks-scg.jar}   # the scg target, a Spring Boot jar of its own
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
case $MODE in
  load) OUT=${OUT:-$HERE/target/loadtest-$STAMP.csv} ;;
  warmup|idle|memory|ab) OUT=${OUT:-$HERE/target/$MODE-$STAMP.csv} ;;
  chart) ;;
  -h|--help|help)
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
    echo; echo "Settings and their defaults:"
    grep -E '^[A-Z_]+=\$\{[A-Z_]+:-' "$0" | sed 's/^/  /'
    exit 0 ;;
  *) echo "unknown mode: $MODE (expected: load, warmup, idle, memory, ab, chart FILE.csv)" >&2; exit 2 ;;
esac

if ! [ -f "$JAR" ]; then
  echo "no $JAR; build it: mvn -B -q -pl benchmarks -am package -DskipTests" >&2
  exit 2
fi
case $MODE in
  load) used=$TARGETS ;; warmup) used=$WARMUP_TARGETS ;; idle) used=$IDLE_TARGETS ;; ab) used=$AB_TARGETS ;; *) used= ;;
esac
if [[ " $used " == *" scg "* ]] && ! [ -f "$SCG_JAR" ]; then
  echo "no $SCG_JAR for target scg; build it: mvn -B -q -pl benchmarks/scg -am package -DskipTests" >&2
  exit 2
fi

chart() { # kind csv png [subtitle]
  timeout 120 java -Djava.awt.headless=true -cp "$JAR" dev.portico.gateway.benchmarks.ResultsChart "$@" >/dev/null
  echo "chart: $3"
}

if [ "$MODE" = chart ]; then
  csv=${2:?usage: run.sh chart FILE.csv}
  chart load "$csv" "${csv%.csv}.png"
  exit 0
fi

needed="java curl timeout"
[ "$MODE" = memory ] || needed="$needed nginx wrk"
[ "$MODE" = ab ] && needed="$needed pgrep"   # nginx's CPU is its worker's: a child of the pid started
missing=0
for cmd in $needed; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then
    echo "missing: $cmd" >&2; missing=1
  fi
done
if [ "$missing" = 1 ]; then
  echo "install them first, e.g. on Debian: sudo apt-get install -y nginx wrk curl openjdk-17-jdk-headless" >&2
  exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

UPSTREAM_PORT=$BASE_PORT
NGINX_PROXY_PORT=$((BASE_PORT + 1))
JVM_PORT=$((BASE_PORT + 2))
BULK_PORT=$((BASE_PORT + 3))
WORK=$(mktemp -d /tmp/portico-loadtest.XXXXXX)
chmod 755 "$WORK"                   # nginx workers run as nobody when started by root
PIDS=()
JVM_PID=

cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # url; any HTTP answer will do (portico-full says 401 without a token)
  for _ in $(seq 1 600); do   # up to a minute: a Spring Boot jar takes 5-8 s to answer here
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.1
  done
  echo "not answering: $1" >&2
  return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

status_kib() { # pid field: a /proc/PID/status value in KiB (VmRSS, VmHWM) or a count (Threads)
  awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null || echo ""
}

live_heap_kib() { # pid: heap in use right after a full GC (jcmd GC.run, then jstat), or "" without jcmd
  { jcmd "$1" GC.run >/dev/null 2>&1 && jstat -gc "$1" 2>/dev/null; } | awk '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
    NR == 2 { printf "%.0f", $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"] }' || true
}

mib() { awk -v k="$1" 'BEGIN { if (k == "") print ""; else printf "%.0f", k / 1024 }'; }

# --- the upstream: nginx serving fixed bodies (load, warmup, idle) ----------------------------------
start_upstream() {
  mkdir -p "$WORK/www" "$WORK/upstream" "$WORK/proxy"
  head -c 1024 /dev/zero | tr '\0' 'a' >"$WORK/www/1k"
  head -c 65536 /dev/zero | tr '\0' 'a' >"$WORK/www/64k"
  chmod 644 "$WORK/www/"*; chmod 755 "$WORK/www"
  nginx_conf "$WORK/upstream" "server { listen 127.0.0.1:$UPSTREAM_PORT; root $WORK/www; }"
  nginx_conf "$WORK/proxy" "upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PROXY_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"
  start_nginx "$WORK/upstream"
  wait_for "http://127.0.0.1:$UPSTREAM_PORT/1k"
}

nginx_conf() { # dir, server block
  cat >"$1/nginx.conf" <<CONF
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $1/client_body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  default_type application/octet-stream;
  keepalive_requests 1000000;
  $2
}
CONF
}

start_nginx() { # dir
  "$NGINX" -p "$1" -c "$1/nginx.conf" -e "$1/error.log" -g 'daemon off;' &
  PIDS+=($!)
}

# --- measuring ------------------------------------------------------------------------------------
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %d %d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, errors,
      summary.requests))
end
LUA

wrk_result() { # seconds url [extra wrk args...]: prints "requests/s,p50,p99,p99.9,errors"
  local seconds=$1 url=$2; shift 2
  timeout $((seconds + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s \
    -s "$WORK/report.lua" "$@" "$url" | awk '/^RESULT/ {print $2","$3","$4","$5","$6}'
}

start_jvm() { # target upstream_url jvm_options...
  local target=$1 upstream=$2; shift 2
  JVM_T0=$(now_ms)
  if [ "$target" = scg ]; then
    java "$@" -jar "$SCG_JAR" "$JVM_PORT" "$upstream" >"$WORK/$target.log" 2>&1 &
  else
    java "$@" -cp "$JAR" dev.portico.gateway.benchmarks.ProxyTargets \
      "$target" "$JVM_PORT" "$upstream" "${JVM_DIR:-$WORK}" >"${JVM_DIR:-$WORK}/$target.log" 2>&1 &
  fi
  JVM_PID=$!
  PIDS+=("$JVM_PID")
}
stop_jvm() {
  kill "$JVM_PID" 2>/dev/null || true
  timeout 15 tail --pid="$JVM_PID" -f /dev/null || kill -9 "$JVM_PID" 2>/dev/null || true
}

auth_args() { # target: the wrk/curl arguments the target needs (portico-full: its bearer token)
  AUTH=()
  if [ "$1" = portico-full ]; then
    local token=${JVM_DIR:-$WORK}/token
    for _ in $(seq 1 100); do [ -s "$token" ] && break; sleep 0.1; done
    AUTH=(-H "Authorization: Bearer $(cat "$token")")
  fi
}

machine() {
  echo "$(nproc) cores; $(java -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# --- load: the comparison table ---------------------------------------------------------------------
measure() { # target, port, extra wrk args...
  local target=$1 port=$2; shift 2
  for body in $BODIES; do
    local url="http://127.0.0.1:$port/$body"
    curl -fsS -o /dev/null --max-time 5 "$@" "$url" # a refusal (401, 429, 502) stops the run here
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s "$@" "$url" >/dev/null
    local load1 result
    load1=$(cut -d' ' -f1 /proc/loadavg)
    result=$(wrk_result "$DURATION" "$url" "$@")
    echo "$target,$body,$result,$load1" >>"$WORK/raw.csv"
    echo "  $target $body: $result (load $load1)" >&2
  done
}

run_load() {
  start_upstream
  echo "target,body,requests_per_s,p50_ms,p99_ms,p99_9_ms,errors,load1" >"$WORK/raw.csv"
  echo "load before: $(machine)" >&2
  for target in $TARGETS; do
    echo "$target" >&2
    case $target in
      direct) measure direct "$UPSTREAM_PORT" ;;
      nginx-proxy)
        start_nginx "$WORK/proxy"
        wait_for "http://127.0.0.1:$NGINX_PROXY_PORT/1k"
        measure nginx-proxy "$NGINX_PROXY_PORT" ;;
      portico-plain|portico-full|jetty-proxy|jetty-static|scg)
        start_jvm "$target" "http://127.0.0.1:$UPSTREAM_PORT" -Xms"$HEAP" -Xmx"$HEAP"
        auth_args "$target"
        wait_for "http://127.0.0.1:$JVM_PORT/1k"
        measure "$target" "$JVM_PORT" "${AUTH[@]}"
        stop_jvm ;;
      *) echo "unknown target: $target" >&2; exit 2 ;;
    esac
  done

  mkdir -p "$(dirname "$OUT")"
  awk -F, 'NR == 1 { print $0 ",ratio_to_direct,ratio_to_nginx"; next }
    { row[NR] = $0; target[NR] = $1; body[NR] = $2; rps[NR] = $3
      if ($1 == "direct") direct[$2] = $3
      if ($1 == "nginx-proxy") nginx[$2] = $3 }
    END { for (i = 2; i <= NR; i++) {
      d = (body[i] in direct) && direct[body[i]] > 0 ? sprintf("%.2f", rps[i] / direct[body[i]]) : ""
      n = (body[i] in nginx) && nginx[body[i]] > 0 ? sprintf("%.2f", rps[i] / nginx[body[i]]) : ""
      print row[i] "," d "," n } }' "$WORK/raw.csv" >"$OUT"
  local settings="c=$CONNECTIONS, wrk threads=$THREADS, warm-up ${WARMUP}s, ${DURATION}s measured, heap $HEAP; $(nproc) cores"
  echo
  echo "$settings"
  column -s, -t <"$OUT"
  echo "written: $OUT"
  chart load "$OUT" "${OUT%.csv}.png" "$settings"
}

# --- warmup: time to steady state -------------------------------------------------------------------
run_warmup() {
  start_upstream
  local series=${OUT%.csv}-series.csv
  mkdir -p "$(dirname "$OUT")"
  echo "target,body,slice,seconds_since_start,requests_per_s,p99_ms,errors" >"$series"
  echo "target,body,first_answer_s" >"$WORK/first.csv"
  echo "load before: $(machine)" >&2
  for target in $WARMUP_TARGETS; do
    case $target in portico-plain|portico-full|jetty-proxy|scg) ;; *) echo "not a JVM target: $target" >&2; exit 2 ;; esac
    for body in $WARMUP_BODIES; do
      local url="http://127.0.0.1:$JVM_PORT/$body"
      # A fresh JVM per body: each series starts cold.
      start_jvm "$target" "http://127.0.0.1:$UPSTREAM_PORT" -Xms"$HEAP" -Xmx"$HEAP"
      auth_args "$target"
      wait_for "$url"
      local first=$(( $(now_ms) - JVM_T0 ))
      echo "$target,$body,$(awk -v ms="$first" 'BEGIN { printf "%.2f", ms / 1000 }')" >>"$WORK/first.csv"
      echo "  $target $body: first answer $first ms after the JVM was started" >&2
      for slice in $(seq 1 "$SLICES"); do
        local result t
        result=$(wrk_result 1 "$url" "${AUTH[@]}")
        t=$(( $(now_ms) - JVM_T0 ))
        IFS=, read -r rps _ p99 _ errors <<<"$result"
        echo "$target,$body,$slice,$(awk -v ms="$t" 'BEGIN { printf "%.2f", ms / 1000 }'),$rps,$p99,$errors" >>"$series"
      done
      stop_jvm
    done
  done

  # Steady rate: the median of the last fifth of the slices (at least 3). Steady after: the start of
  # the first slice from which every slice to the end stays within STEADY_BAND percent of that rate.
  awk -F, -v band="$STEADY_BAND" '
    FNR == 1 { next }
    FILENAME ~ /first.csv$/ { first[$1 "," $2] = $3; next }
    { key = $1 "," $2; if (!(key in n)) order[++keys] = key
      i = ++n[key]; t[key, i] = $4; r[key, i] = $5 }
    END {
      print "target,body,first_answer_s,steady_after_s,steady_requests_per_s,slices,last_slice_end_s"
      for (k = 1; k <= keys; k++) {
        key = order[k]; m = n[key]; tail = int(m / 5); if (tail < 3) tail = 3; if (tail > m) tail = m
        c = 0; for (i = m - tail + 1; i <= m; i++) v[++c] = r[key, i]
        for (i = 1; i <= c; i++) for (j = i + 1; j <= c; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
        final = c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
        i = m; while (i >= 1 && final > 0 && (r[key, i] - final) <= final * band / 100 && (final - r[key, i]) <= final * band / 100) i--
        if (i == m) steady = "not reached"
        else if (i == 0) steady = first[key]
        else steady = t[key, i]
        printf "%s,%s,%s,%.0f,%d,%s\n", key, first[key], steady, final, m, t[key, m]
      } }' "$WORK/first.csv" "$series" >"$OUT"
  echo
  echo "time to steady state: 1 s wrk slices (c=$CONNECTIONS, $THREADS threads) from the first answer on,"
  echo "heap $HEAP; steady = every later slice within ${STEADY_BAND}% of the median of the last fifth; $(nproc) cores"
  column -s, -t <"$OUT"
  echo "written: $OUT and $series"
  chart warmup "$series" "${OUT%.csv}.png" "1 s wrk slices, c=$CONNECTIONS, heap $HEAP; $(nproc) cores"
}

# --- idle: 10,000 idle keep-alive connections, then load alongside ------------------------------------
run_idle() {
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((IDLE_CONNECTIONS + 2000)) ]; then
    echo "open files limit $(ulimit -n) is too low for $IDLE_CONNECTIONS connections (raise it: ulimit -n)" >&2
    exit 2
  fi
  if [ "$IDLE_HOLD" -le $((DURATION + 2)) ]; then
    echo "IDLE_HOLD ($IDLE_HOLD s) must be longer than the wrk run (DURATION=$DURATION s) plus 2 s" >&2
    exit 2
  fi
  start_upstream
  mkdir -p "$(dirname "$OUT")"
  echo "target,idle_requested,idle_answered,idle_failed,idle_still_open,rss_mib_before,rss_mib_idle,rss_mib_after_load,peak_rss_mib,live_heap_mib_before,live_heap_mib_idle,threads_before,threads_idle,threads_after_load,requests_per_s,p50_ms,p99_ms,p99_9_ms,errors" >"$OUT"
  echo "load before: $(machine); open files limit $(ulimit -n)" >&2
  for target in $IDLE_TARGETS; do
    case $target in portico-plain|portico-full|jetty-proxy|scg) ;; *) echo "not a JVM target: $target" >&2; exit 2 ;; esac
    local url="http://127.0.0.1:$JVM_PORT/1k"
    # The connector's idle timeout (Jetty's default is 30 s; Reactor Netty's, in scg, is none) must
    # outlast the hold. The heap is touched up front, so that RSS grows only with what the connections
    # cost outside it (the live heap columns give their cost inside), not with heap pages that load or
    # a collection touch first.
    start_jvm "$target" "http://127.0.0.1:$UPSTREAM_PORT" -Xms"$HEAP" -Xmx"$HEAP" -XX:+AlwaysPreTouch \
      -Dbench.idleTimeoutMs=$(( (IDLE_HOLD + 300) * 1000 ))
    auth_args "$target"
    wait_for "$url"
    wrk_result 5 "$url" "${AUTH[@]}" >/dev/null   # a little warm-up, so the JIT is not what is measured
    local rss0 thr0 heap0
    rss0=$(status_kib "$JVM_PID" VmRSS); thr0=$(status_kib "$JVM_PID" Threads)
    heap0=$(live_heap_kib "$JVM_PID")
    rm -f "$WORK/idle.ready"
    timeout $((IDLE_HOLD + 180)) java -Xmx256m -cp "$JAR" dev.portico.gateway.benchmarks.IdleConnections \
      127.0.0.1 "$JVM_PORT" "$IDLE_CONNECTIONS" /1k "$IDLE_HOLD" "$WORK/idle.ready" \
      >"$WORK/idle.out" 2>"$WORK/idle.err" &
    local idle_pid=$!
    PIDS+=("$idle_pid")
    for _ in $(seq 1 1200); do
      [ -s "$WORK/idle.ready" ] && break
      kill -0 "$idle_pid" 2>/dev/null || break
      sleep 0.1
    done
    if ! [ -s "$WORK/idle.ready" ]; then
      echo "the idle connections did not open:" >&2; cat "$WORK/idle.err" >&2; exit 1
    fi
    echo "  $target: $(cat "$WORK/idle.ready")" >&2
    sleep 1
    local rss1 thr1 heap1 result rss2 thr2 hwm
    rss1=$(status_kib "$JVM_PID" VmRSS); thr1=$(status_kib "$JVM_PID" Threads)
    heap1=$(live_heap_kib "$JVM_PID")
    result=$(wrk_result "$DURATION" "$url" "${AUTH[@]}")
    rss2=$(status_kib "$JVM_PID" VmRSS); thr2=$(status_kib "$JVM_PID" Threads); hwm=$(status_kib "$JVM_PID" VmHWM)
    echo "  $target (pid $JVM_PID): VmRSS $rss0 kB, $rss1 kB, $rss2 kB; VmHWM $hwm kB; Threads $thr0, $thr1, $thr2; live heap $heap0 kB, $heap1 kB" >&2
    timeout $((IDLE_HOLD + 60)) tail --pid="$idle_pid" -f /dev/null || true
    local requested answered failed still
    read -r _ requested answered failed still _ < <(grep '^RESULT' "$WORK/idle.out" || echo "RESULT - - - - -")
    echo "$target,$requested,$answered,$failed,$still,$(mib "$rss0"),$(mib "$rss1"),$(mib "$rss2"),$(mib "$hwm"),$(mib "$heap0"),$(mib "$heap1"),$thr0,$thr1,$thr2,$result" >>"$OUT"
    echo "  $target: $(tail -1 "$OUT")" >&2
    stop_jvm
  done
  echo
  echo "$IDLE_CONNECTIONS idle keep-alive connections (one GET /1k each, then idle ${IDLE_HOLD}s), then wrk c=$CONNECTIONS"
  echo "for ${DURATION}s on other connections alongside; heap $HEAP; RSS in MiB from /proc/PID/status; live heap"
  echo "in MiB after a full GC (jcmd GC.run, jstat); $(nproc) cores"
  column -s, -t <"$OUT"
  echo "written: $OUT"
}

# --- memory: 1 GiB up and down through -Xmx128m ---------------------------------------------------------
run_memory() {
  # The upstream (its own JVM, so that only the gateway is measured) lives as long as the run may.
  timeout $((MEMORY_TIMEOUT * 2 * $(wc -w <<<"$MEMORY_TARGETS") + 300)) java -Xmx256m -cp "$JAR" \
    dev.portico.gateway.benchmarks.BulkTransfer serve "$BULK_PORT" >"$WORK/bulk.log" 2>&1 &
  PIDS+=($!)
  wait_for "http://127.0.0.1:$BULK_PORT/download/1"
  mkdir -p "$(dirname "$OUT")"
  echo "target,heap,bytes_each_way,rss_mib_start,peak_rss_mib_after_upload,peak_rss_mib_after_download,upload_mib_s,download_mib_s,gc_pauses,gc_pause_ms,jstat_gct_ms,checked" >"$OUT"
  echo "load before: $(machine)" >&2
  for target in $MEMORY_TARGETS; do
    case $target in portico-plain|jetty-proxy) ;; *) echo "not a streaming target: $target" >&2; exit 2 ;; esac
    start_jvm "$target" "http://127.0.0.1:$BULK_PORT" -Xmx"$MEMORY_HEAP" -XX:+ExitOnOutOfMemoryError \
      -Xlog:gc:file="$WORK/$target-gc.log"
    wait_for "http://127.0.0.1:$JVM_PORT/download/1"
    local rss0 up down hwm_up hwm_down checked=ok
    rss0=$(status_kib "$JVM_PID" VmRSS)
    up=$(timeout "$MEMORY_TIMEOUT" java -cp "$JAR" dev.portico.gateway.benchmarks.BulkTransfer upload \
      "http://127.0.0.1:$JVM_PORT" "$MEMORY_BYTES" 2>>"$WORK/bulk-client.log") || checked=FAILED
    hwm_up=$(status_kib "$JVM_PID" VmHWM)
    down=$(timeout "$MEMORY_TIMEOUT" java -cp "$JAR" dev.portico.gateway.benchmarks.BulkTransfer download \
      "http://127.0.0.1:$JVM_PORT" "$MEMORY_BYTES" 2>>"$WORK/bulk-client.log") || checked=FAILED
    hwm_down=$(status_kib "$JVM_PID" VmHWM)
    cat "$WORK/bulk-client.log" >&2
    if ! kill -0 "$JVM_PID" 2>/dev/null; then
      checked="FAILED (gateway JVM died: $(tail -3 "$WORK/$target.log" | tr '\n,' '  '))"
    fi
    local gct
    gct=$(jstat -gc "$JVM_PID" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "GCT") c = i }
      NR == 2 && c { printf "%.0f", $c * 1000 }' || true)
    stop_jvm
    local pauses
    pauses=$(awk '/Pause/ && $NF ~ /ms$/ { n++; sub(/ms$/, "", $NF); s += $NF } END { printf "%d,%.0f", n, s }' \
      "$WORK/$target-gc.log")
    echo "$target,$MEMORY_HEAP,$MEMORY_BYTES,$(mib "$rss0"),$(mib "$hwm_up"),$(mib "$hwm_down"),$(awk '{print $5}' <<<"$up"),$(awk '{print $5}' <<<"$down"),$pauses,$gct,$checked" >>"$OUT"
  done
  echo
  echo "$MEMORY_BYTES bytes up, then down, through each target with -Xmx$MEMORY_HEAP; RSS in MiB (VmRSS at start,"
  echo "then VmHWM, the peak since the JVM started); GC pauses from -Xlog:gc; $(nproc) cores"
  column -s, -t <"$OUT"
  echo "written: $OUT"
  grep -q ',ok$' "$OUT" && ! grep -q 'FAILED' "$OUT"
}

# --- ab: targets side by side, measured in turns ------------------------------------------------------
cpu_ticks() { # pid: CPU time in clock ticks of the process and its children (nginx's worker): "user system"
  local user=0 system=0 p u s
  for p in "$1" $(pgrep -P "$1" || true); do
    read -r u s < <(awk '{print $14, $15}' "/proc/$p/stat" 2>/dev/null || echo "0 0")
    user=$((user + u)); system=$((system + s))
  done
  echo "$user $system"
}

median() { # the median of the numbers on stdin, one per line
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2];
    else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

run_ab() {
  start_upstream
  local -A url pid auth
  local i=0 target
  for target in $AB_TARGETS; do
    # portico-full:jwt+access-log is portico-full with only those policies (none: with none of them)
    local base=${target%%:*} options=()
    [ "$base" != "$target" ] && options=(-Dbench.policies="$(tr + , <<<"${target#*:}")")
    case $base in
      direct) url[$target]=http://127.0.0.1:$UPSTREAM_PORT/$AB_BODY; pid[$target]=${PIDS[0]} ;;
      nginx-proxy)
        start_nginx "$WORK/proxy"
        url[$target]=http://127.0.0.1:$NGINX_PROXY_PORT/$AB_BODY; pid[$target]=${PIDS[-1]} ;;
      portico-plain|portico-full|jetty-proxy|jetty-static|scg)
        JVM_PORT=$((BASE_PORT + 10 + i))
        JVM_DIR=$WORK/ab$i; mkdir -p "$JVM_DIR"   # its own token and access log
        start_jvm "$base" "http://127.0.0.1:$UPSTREAM_PORT" -Xms"$HEAP" -Xmx"$HEAP" "${options[@]}"
        url[$target]=http://127.0.0.1:$JVM_PORT/$AB_BODY; pid[$target]=$JVM_PID ;;
      *) echo "unknown target: $target" >&2; exit 2 ;;
    esac
    auth_args "$base"
    auth[$target]=${AUTH[*]+"${AUTH[1]}"}
    wait_for "${url[$target]}"
    i=$((i + 1))
  done
  local -a targets=($AB_TARGETS) order
  local slices=${OUT%.csv}-slices.csv
  mkdir -p "$(dirname "$OUT")"
  echo "round,target,requests_per_s,p50_ms,p99_ms,p99_9_ms,errors,cpu_us_per_request,load1,system_us_per_request" >"$slices"
  for target in "${targets[@]}"; do
    local args=()
    [ -n "${auth[$target]}" ] && args=(-H "${auth[$target]}")
    curl -fsS -o /dev/null --max-time 5 "${args[@]}" "${url[$target]}"   # a refusal (401, 429, 502) stops the run here
    echo "warming up $target (${WARMUP}s)" >&2
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s "${args[@]}" "${url[$target]}" >/dev/null
  done
  local hz round
  hz=$(getconf CLK_TCK)
  for round in $(seq 1 "$ROUNDS"); do
    order=("${targets[@]}")
    if [ $((round % 2)) = 0 ]; then   # A B, then B A: a drift within a round falls on both sides
      order=(); for ((i = ${#targets[@]} - 1; i >= 0; i--)); do order+=("${targets[$i]}"); done
    fi
    for target in "${order[@]}"; do
      local args=() out user0 system0 user1 system1 load1
      [ -n "${auth[$target]}" ] && args=(-H "${auth[$target]}")
      load1=$(cut -d' ' -f1 /proc/loadavg)
      read -r user0 system0 <<<"$(cpu_ticks "${pid[$target]}")"
      out=$(timeout $((SLICE + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SLICE}s" --timeout 5s \
        -s "$WORK/report.lua" "${args[@]}" "${url[$target]}" | awk '/^RESULT/')
      read -r user1 system1 <<<"$(cpu_ticks "${pid[$target]}")"
      # requests/s, p50, p99, p99.9, errors, the CPU the target used per request in microseconds,
      # the load average, and the part of that CPU spent in the kernel (system calls, loopback TCP)
      echo "$round,$target,$(awk -v c=$((user1 + system1 - user0 - system0)) -v k=$((system1 - system0)) \
        -v hz="$hz" -v load1="$load1" '{ printf "%s,%s,%s,%s,%s,%.1f,%s,%.1f", $2, $3, $4, $5, $6,
        ($7 > 0 ? c * 1e6 / hz / $7 : 0), load1, ($7 > 0 ? k * 1e6 / hz / $7 : 0) }' <<<"$out")" | tee -a "$slices" >&2
    done
  done
  # per target: medians of its slices; against the first target: the ratio of the two slices of each
  # round (paired), median, lowest and highest
  local first=${targets[0]}
  echo "target,body,slices,requests_per_s,p99_ms,cpu_us_per_request,errors,ratio_to_${first},ratio_low,ratio_high,system_us_per_request" >"$OUT"
  for target in "${targets[@]}"; do
    local rows rps p99 cpu system errors ratios
    rows=$(awk -F, -v t="$target" '$2 == t' "$slices")
    rps=$(cut -d, -f3 <<<"$rows" | median)
    p99=$(cut -d, -f5 <<<"$rows" | median)
    cpu=$(cut -d, -f8 <<<"$rows" | median)
    system=$(cut -d, -f10 <<<"$rows" | median)
    errors=$(awk -F, '{ s += $7 } END { print s + 0 }' <<<"$rows")
    ratios=$(awk -F, -v t="$target" -v f="$first" '$2 == t { r[$1] = $3 } $2 == f { b[$1] = $3 }
      END { for (k in r) if (b[k] > 0) printf "%.3f\n", r[k] / b[k] }' "$slices")
    echo "$target,$AB_BODY,$(wc -l <<<"$rows"),$rps,$p99,$cpu,$errors,$(median <<<"$ratios"),$(sort -g <<<"$ratios" | head -1),$(sort -g <<<"$ratios" | tail -1),$system" >>"$OUT"
  done
  echo
  echo "$ROUNDS rounds of ${SLICE}s slices per target, in turns; c=$CONNECTIONS, wrk threads=$THREADS, warm-up ${WARMUP}s each, heap $HEAP; $(nproc) cores"
  column -s, -t <"$OUT"
  echo "written: $OUT and $slices"
}

run_"$MODE"
