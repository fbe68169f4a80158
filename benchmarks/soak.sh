#!/usr/bin/env bash
# Soak test: a gateway with JWT auth, an in-memory rate limit and an access log in front of a Jetty
# upstream, driven at a steady rate in one JVM (dev.portico.gateway.benchmarks.Soak). Prints a line
# a minute and a summary; exits 1 when any exchange had an unexpected outcome.
#
#   mvn -B -q -pl benchmarks -am package -DskipTests     # builds benchmarks/target/benchmarks.jar
#   benchmarks/soak.sh                                    # 1,000 req/s for 10 minutes
#   RATE=2000 DURATION=30m benchmarks/soak.sh
set -euo pipefail

RATE=${RATE:-1000}                  # requests per second, on a fixed schedule
DURATION=${DURATION:-10m}           # 90s, 10m, 1h or ISO-8601 (PT10M)
HEAP=${HEAP:-512m}                  # -Xms and -Xmx
HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$HERE/target/benchmarks.jar}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

if ! [ -f "$JAR" ]; then
  echo "no $JAR; build it: mvn -B -q -pl benchmarks -am package -DskipTests" >&2
  exit 2
fi
echo "$(uname -srm), $(nproc) cpus, $(java -version 2>&1 | head -1)"
java -Xms"$HEAP" -Xmx"$HEAP" -cp "$JAR" dev.portico.gateway.benchmarks.Soak \
  --rate "$RATE" --duration "$DURATION" --work-dir "$WORK"
