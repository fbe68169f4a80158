#!/usr/bin/env bash
# End-to-end load test: wrk against an nginx upstream serving fixed bodies, called directly and
# through each proxy target, on loopback only. Prints one table and writes it as CSV.
#
#   mvn -B -q -pl benchmarks -am package -DskipTests     # builds benchmarks/target/benchmarks.jar
#   benchmarks/run.sh                                     # all targets, defaults below
#   DURATION=10 CONNECTIONS=64 BODIES="1k 64k" TARGETS="direct portico-plain" benchmarks/run.sh
#
# Every JVM target gets the same heap, connections, warm-up and duration. Everything started here
# (nginx twice, one JVM at a time, wrk) is stopped on exit; the scratch directory is removed.
set -euo pipefail

DURATION=${DURATION:-10}            # seconds measured per target and body
WARMUP=${WARMUP:-30}                # seconds of load before measuring, discarded (10 is too few for a JVM)
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}               # wrk threads
HEAP=${HEAP:-512m}                  # -Xms and -Xmx of every JVM target
BODIES=${BODIES:-"1k 64k"}
TARGETS=${TARGETS:-"direct portico-plain portico-full jetty-proxy nginx-proxy"}
BASE_PORT=${BASE_PORT:-18080}       # upstream; the proxies take the next ports
HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$HERE/target/benchmarks.jar}
OUT=${OUT:-$HERE/target/loadtest-$(date -u +%Y%m%dT%H%M%SZ).csv}

missing=0
for cmd in nginx wrk java curl timeout; do
  if ! command -v "$cmd" >/dev/null 2>&1 && ! [ -x "/usr/sbin/$cmd" ]; then
    echo "missing: $cmd" >&2; missing=1
  fi
done
if [ "$missing" = 1 ]; then
  echo "install them first, e.g. on Debian: sudo apt-get install -y nginx wrk curl openjdk-17-jdk-headless" >&2
  exit 2
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if ! [ -f "$JAR" ]; then
  echo "no $JAR; build it: mvn -B -q -pl benchmarks -am package -DskipTests" >&2
  exit 2
fi

UPSTREAM_PORT=$BASE_PORT
NGINX_PROXY_PORT=$((BASE_PORT + 1))
JVM_PORT=$((BASE_PORT + 2))
WORK=$(mktemp -d /tmp/portico-loadtest.XXXXXX)
chmod 755 "$WORK"                   # nginx workers run as nobody when started by root
PIDS=()

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
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.2
  done
  echo "not answering: $1" >&2
  return 1
}

# --- the upstream: nginx serving fixed bodies -----------------------------------------------------
mkdir -p "$WORK/www" "$WORK/upstream" "$WORK/proxy"
head -c 1024 /dev/zero | tr '\0' 'a' >"$WORK/www/1k"
head -c 65536 /dev/zero | tr '\0' 'a' >"$WORK/www/64k"
chmod 644 "$WORK/www/"*; chmod 755 "$WORK/www"

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
nginx_conf "$WORK/upstream" "server { listen 127.0.0.1:$UPSTREAM_PORT; root $WORK/www; }"
nginx_conf "$WORK/proxy" "upstream backend { server 127.0.0.1:$UPSTREAM_PORT; keepalive 128; }
  server { listen 127.0.0.1:$NGINX_PROXY_PORT;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection \"\"; } }"

start_nginx() { # dir
  "$NGINX" -p "$1" -c "$1/nginx.conf" -e "$1/error.log" -g 'daemon off;' &
  PIDS+=($!)
}
start_nginx "$WORK/upstream"
wait_for "http://127.0.0.1:$UPSTREAM_PORT/1k"

# --- measuring ------------------------------------------------------------------------------------
cat >"$WORK/report.lua" <<'LUA'
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout + summary.errors.status
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f %d\n",
      summary.requests / (summary.duration / 1e6),
      latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, errors))
end
LUA

echo "target,body,requests_per_s,p50_ms,p99_ms,p99_9_ms,errors,load1" >"$WORK/raw.csv"
measure() { # target, port, extra wrk args...
  local target=$1 port=$2; shift 2
  for body in $BODIES; do
    local url="http://127.0.0.1:$port/$body"
    curl -fsS -o /dev/null --max-time 5 "$@" "$url" # a refusal (401, 429, 502) stops the run here
    timeout $((WARMUP + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 5s "$@" "$url" >/dev/null
    local load1 result
    load1=$(cut -d' ' -f1 /proc/loadavg)
    result=$(timeout $((DURATION + 30)) wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s \
      -s "$WORK/report.lua" "$@" "$url" | awk '/^RESULT/ {print $2","$3","$4","$5","$6}')
    echo "$target,$body,$result,$load1" >>"$WORK/raw.csv"
    echo "  $target $body: $result (load $load1)" >&2
  done
}

start_jvm() { # target
  java -Xms"$HEAP" -Xmx"$HEAP" -cp "$JAR" dev.portico.gateway.benchmarks.ProxyTargets \
    "$1" "$JVM_PORT" "http://127.0.0.1:$UPSTREAM_PORT" "$WORK" >"$WORK/$1.log" 2>&1 &
  JVM_PID=$!
  PIDS+=("$JVM_PID")
}
stop_jvm() {
  kill "$JVM_PID" 2>/dev/null || true
  timeout 15 tail --pid="$JVM_PID" -f /dev/null || kill -9 "$JVM_PID" 2>/dev/null || true
}

echo "load before: $(cat /proc/loadavg); $(nproc) cores; $(java -version 2>&1 | head -1)" >&2
for target in $TARGETS; do
  echo "$target" >&2
  case $target in
    direct) measure direct "$UPSTREAM_PORT" ;;
    nginx-proxy)
      start_nginx "$WORK/proxy"
      wait_for "http://127.0.0.1:$NGINX_PROXY_PORT/1k"
      measure nginx-proxy "$NGINX_PROXY_PORT" ;;
    portico-plain|jetty-proxy)
      start_jvm "$target"
      wait_for "http://127.0.0.1:$JVM_PORT/1k"
      measure "$target" "$JVM_PORT"
      stop_jvm ;;
    portico-full)
      start_jvm "$target"
      for _ in $(seq 1 100); do [ -s "$WORK/token" ] && break; sleep 0.2; done
      auth="Authorization: Bearer $(cat "$WORK/token")"
      wait_for "http://127.0.0.1:$JVM_PORT/1k"
      measure "$target" "$JVM_PORT" -H "$auth"
      stop_jvm ;;
    *) echo "unknown target: $target" >&2; exit 2 ;;
  esac
done

# --- the table ------------------------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
awk -F, 'NR == 1 { print $0 ",ratio_to_direct,ratio_to_nginx"; next }
  { row[NR] = $0; target[NR] = $1; body[NR] = $2; rps[NR] = $3
    if ($1 == "direct") direct[$2] = $3
    if ($1 == "nginx-proxy") nginx[$2] = $3 }
  END { for (i = 2; i <= NR; i++) {
    d = (body[i] in direct) && direct[body[i]] > 0 ? sprintf("%.2f", rps[i] / direct[body[i]]) : ""
    n = (body[i] in nginx) && nginx[body[i]] > 0 ? sprintf("%.2f", rps[i] / nginx[body[i]]) : ""
    print row[i] "," d "," n } }' "$WORK/raw.csv" >"$OUT"
echo
echo "c=$CONNECTIONS, wrk threads=$THREADS, warm-up ${WARMUP}s, ${DURATION}s measured, heap $HEAP; $(nproc) cores"
column -s, -t <"$OUT"
echo "written: $OUT"
