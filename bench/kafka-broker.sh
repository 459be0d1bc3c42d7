#!/usr/bin/env bash
# A local Kafka broker for kafka-logger's benchmark: one KRaft node (broker and controller together)
# on 127.0.0.1:9092 (controller 127.0.0.1:9093), run from the Maven jars of the version
# plugins/loggers uses, its storage formatted in a fresh temporary folder.
#   bench/kafka-broker.sh start    # returns once the broker accepts connections
#   bench/kafka-broker.sh stop
# Then, the broker's JIT settling with the gateway's before a round is measured:
#   SETTLE_ALSO=$(cat /tmp/tidegate-bench-kafka/pid) ROUNDS=7 bench/plugin-overhead.sh 10 64 gateway-kafka-logger.yaml
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=${KAFKA_BENCH_DIR:-/tmp/tidegate-bench-kafka}
port=${KAFKA_PORT:-9092}; controller=${KAFKA_CONTROLLER_PORT:-9093}

classpath() {
  local version work
  version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/plugins/loggers/pom.xml")
  work=$state/classpath; mkdir -p "$work"
  cat >"$work/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId><artifactId>kafka-broker</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -f "$work/pom.xml" dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >&2
  cat "$work/cp.txt"
}

start() {
  if [ -f "$state/pid" ] && kill -0 "$(cat "$state/pid")" 2>/dev/null; then
    echo "already running (pid $(cat "$state/pid"))"; return
  fi
  rm -rf "$state/data" "$state/server.properties"; mkdir -p "$state"
  local cp; cp=$(classpath)
  cat >"$state/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$state/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
# Kafka's default 1 GiB segments: with 64 MiB ones the benchmark's ~25 MB/s rolled a segment (new
# index files) every few seconds and retention deleted them in bursts, inside the measured rounds.
# Retention keeps the folder under 2 GiB (checked every 5 minutes).
log.segment.bytes=1073741824
log.retention.bytes=2147483648
PROPS
  # as kafka-server-start.sh runs a broker (KAFKA_HEAP_OPTS, KAFKA_JVM_PERFORMANCE_OPTS)
  local java="java -Xms1g -Xmx1g -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true -cp $cp"
  $java kafka.tools.StorageTool format -t "$(head -c 16 /dev/urandom | base64 | tr -d '=+/' | cut -c1-22)" \
    -c "$state/server.properties" >"$state/broker.log" 2>&1
  nohup $java kafka.Kafka "$state/server.properties" >>"$state/broker.log" 2>&1 &
  echo $! >"$state/pid"
  for _ in $(seq 1 120); do
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then echo "kafka on 127.0.0.1:$port (pid $(cat "$state/pid"), log $state/broker.log)"; return; fi
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { tail -20 "$state/broker.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the broker did not listen within 60 s; see $state/broker.log" >&2; exit 1
}

stop() {
  [ -f "$state/pid" ] || { echo "not running"; return; }
  local pid; pid=$(cat "$state/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$state/pid"; rm -rf "$state/data"
  echo "stopped"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
