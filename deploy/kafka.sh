#!/usr/bin/env bash
# Apache Kafka (KRaft, single combined broker+controller on loopback) without Docker:
# jars from Maven Central via deploy/kafka/pom.xml, cached; storage formatted once.
# Usage: deploy/kafka.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$REPO_ROOT/deploy/kafka/pom.xml")
LIBS=$PAVILION_CACHE_DIR/kafka-$KAFKA_VERSION/libs
DIR=$PAVILION_STATE_DIR/kafka
PIDFILE=$DIR/kafka.pid
LOG=$PAVILION_LOG_DIR/kafka.log

fetch_jars() {
  [ -f "$LIBS/.complete" ] && return
  echo "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -Dstyle.color=never -f "$REPO_ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DIR/data" "$PAVILION_LOG_DIR"
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$PAVILION_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PAVILION_KAFKA_PORT,CONTROLLER://127.0.0.1:$PAVILION_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PAVILION_KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DIR/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cat > "$DIR/log4j2.xml" <<XML
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT">
    <PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers>
    <Logger name="kafka" level="INFO"/><Logger name="org.apache.kafka" level="WARN"/>
    <Root level="WARN"><AppenderRef ref="out"/></Root>
  </Loggers>
</Configuration>
XML
}

java_run() {
  java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$DIR/log4j2.xml" -cp "$LIBS/*" "$@"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
started() { grep -q "Kafka Server started" "$LOG" && (exec 3<>"/dev/tcp/127.0.0.1/$PAVILION_KAFKA_PORT"); }

start() {
  if [ "$PAVILION_KAFKA_EXTERNAL" = 1 ]; then echo "kafka: using $PAVILION_KAFKA_BOOTSTRAP"; return; fi
  if running; then echo "kafka: already running on $PAVILION_KAFKA_BOOTSTRAP"; return; fi
  port_free "$PAVILION_KAFKA_PORT" kafka PAVILION_KAFKA_PORT
  port_free "$PAVILION_KAFKA_CONTROLLER_PORT" kafka PAVILION_KAFKA_CONTROLLER_PORT
  fetch_jars
  write_config
  if [ ! -f "$DIR/data/meta.properties" ]; then
    java_run kafka.tools.StorageTool format -t "$(java_run kafka.tools.StorageTool random-uuid)" \
      -c "$DIR/server.properties" >/dev/null
  fi
  : > "$LOG"
  nohup java -Xms256m -Xmx512m -XX:+UseG1GC -Dlog4j2.configurationFile="$DIR/log4j2.xml" \
    -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" >> "$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  if ! wait_for 90 started; then
    echo "kafka: did not start within 90 s; last log lines:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
  echo "kafka: started on $PAVILION_KAFKA_BOOTSTRAP (log: $LOG)"
}

stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid"
  wait_for 60 bash -c "! kill -0 $pid" || kill -9 "$pid"
  rm -f "$PIDFILE"
  echo "kafka: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running && echo "kafka: running (pid $(cat "$PIDFILE"))" || { echo "kafka: stopped"; exit 3; } ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
