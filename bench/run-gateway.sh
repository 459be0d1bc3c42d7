#!/usr/bin/env bash
# Starts the gateway for the side-by-side benchmark: 127.0.0.1:9080 -> origin 127.0.0.1:9100.
#   GATEWAY_CMD="$PWD/bench/run-gateway.sh" ../shared/bench/proxy-bench.sh 10 64
# Builds the jar first when it is missing. JVM flags match the JVM peers (-Xmx512m).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jar=$root/gateway-core/target/tidegate.jar
config=${BENCH_CONFIG:-$root/bench/gateway-bench.yaml}
if [ ! -f "$jar" ]; then
  mvn -q -f "$root/pom.xml" -DskipTests package >&2
fi
exec java -Xmx512m ${JAVA_OPTS:-} -jar "$jar" -c "$config"
