#!/usr/bin/env bash
# Apache Kafka (KRaft, combined broker+controller nodes on loopback) without Docker:
# jars from Maven Central via deploy/kafka/pom.xml, cached; storage formatted once.
# One node by default; PAVILION_KAFKA_NODES=3 runs a cluster of three on the loopback
# ports PAVILION_KAFKA_PORT+2(i-1) (broker) and PAVILION_KAFKA_CONTROLLER_PORT+2(i-1)
# (controller), replication 3, min.insync.replicas 2; clients then bootstrap from all
# three (PAVILION_KAFKA_BOOTSTRAP=127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3: deploy/env.sh's
# default).
# PAVILION_KAFKA_SASL=1 secures it (data kept apart, under $PAVILION_STATE_DIR/kafka-sasl):
# clients authenticate with SASL/SCRAM-SHA-512 (the brokers too, as `admin`; controllers
# with SASL/PLAIN), the StandardAuthorizer allows only what an ACL grants, `admin` is the
# only super user; the SCRAM users (deploy/kafka-credentials.sh) are made when the storage
# is formatted, and `pavilion kafka acls` makes the topics and ACLs.
# `start` starts whichever node is not running (so it also restarts a killed one).
# Usage: deploy/kafka.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/env.sh"
SASL=${PAVILION_KAFKA_SASL:-0}
[[ $SASL =~ ^[01]$ ]] || { echo "kafka: PAVILION_KAFKA_SASL must be 0 or 1" >&2; exit 2; }
if [ "$SASL" = 1 ]; then
  source "$(dirname "$0")/kafka-sasl-properties.sh"
  source "$(dirname "$0")/kafka-credentials.sh"
  kafka_credentials || exit 2
fi

KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$REPO_ROOT/deploy/kafka/pom.xml")
LIBS=$PAVILION_CACHE_DIR/kafka-$KAFKA_VERSION/libs
NODES=${PAVILION_KAFKA_NODES:-1}
[[ $NODES =~ ^[1-9]$ ]] || { echo "kafka: PAVILION_KAFKA_NODES must be 1-9" >&2; exit 2; }
[ "$NODES" = 1 ] || [ "$NODES" -ge 3 ] || { echo "kafka: a cluster needs 3 or more nodes" >&2; exit 2; }
TOP=$PAVILION_STATE_DIR/kafka
[ "$SASL" = 0 ] || TOP=$PAVILION_STATE_DIR/kafka-sasl

# The paths and ports of node $1: one node keeps the layout it always had.
node() {
  local i=$1 offset=$((2 * ($1 - 1)))
  if [ "$NODES" = 1 ]; then DIR=$TOP; LOG=$PAVILION_LOG_DIR/kafka.log
  else DIR=$TOP/node-$i; LOG=$PAVILION_LOG_DIR/kafka-$i.log; fi
  PIDFILE=$DIR/kafka.pid
  PORT=$((PAVILION_KAFKA_PORT + offset))
  CONTROLLER_PORT=$((PAVILION_KAFKA_CONTROLLER_PORT + offset))
}

voters() {
  local i list=()
  for i in $(seq 1 "$NODES"); do
    list+=("$i@127.0.0.1:$((PAVILION_KAFKA_CONTROLLER_PORT + 2 * (i - 1)))")
  done
  (IFS=,; echo "${list[*]}")
}

fetch_jars() {
  [ -f "$LIBS/.complete" ] && return
  echo "kafka: fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -Dstyle.color=never -f "$REPO_ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$LIBS" -DincludeScope=runtime
  touch "$LIBS/.complete"
}

write_config() {
  local id=$1 replicas=1 isr=1
  [ "$NODES" = 1 ] || { replicas=3; isr=2; }
  mkdir -p "$DIR/data" "$PAVILION_LOG_DIR"
  (umask 077; : > "$DIR/server.properties")  # it holds the admin's password when secured
  cat > "$DIR/server.properties" <<PROPS
process.roles=broker,controller
node.id=$id
controller.quorum.voters=$(voters)
controller.listener.names=CONTROLLER
$(listener_config)
log.dirs=$DIR/data
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=$replicas
transaction.state.log.replication.factor=$replicas
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$replicas
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
PROPS
  if [ "$NODES" != 1 ]; then
    printf 'default.replication.factor=%s\nmin.insync.replicas=%s\n' "$replicas" "$isr" \
      >> "$DIR/server.properties"
    # Its nodes stop together (stop, below): a broker would otherwise wait up to five
    # minutes for the controllers, stopping too, to approve its controlled shutdown.
    echo "controlled.shutdown.enable=false" >> "$DIR/server.properties"
  fi
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

# The listeners: PLAINTEXT, or (PAVILION_KAFKA_SASL=1) SASL with ACLs.
listener_config() {
  local protocol=PLAINTEXT
  [ "$SASL" = 0 ] || protocol=SASL_PLAINTEXT
  cat <<PROPS
listeners=$protocol://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=$protocol://127.0.0.1:$PORT
inter.broker.listener.name=$protocol
listener.security.protocol.map=CONTROLLER:$protocol,$protocol:$protocol
PROPS
  [ "$SASL" = 0 ] && return
  sasl_properties "$PAVILION_KAFKA_ADMIN_PASSWORD"
}

# StorageTool's arguments making every principal's SCRAM user (PAVILION_KAFKA_SASL=1).
scram_users() {
  local principal variable
  [ "$SASL" = 0 ] && return
  for principal in $KAFKA_PRINCIPALS; do
    variable=PAVILION_KAFKA_${principal^^}_PASSWORD
    printf -- '--add-scram\nSCRAM-SHA-512=[name=%s,password=%s]\n' "$principal" "${!variable}"
  done
}

java_run() {
  java -Xms256m -Xmx512m -Dlog4j2.configurationFile="$DIR/log4j2.xml" -cp "$LIBS/*" "$@"
}

# A killed JVM stays a zombie until it is reaped: that is not running.
running() {
  local state
  [ -f "$PIDFILE" ] && state=$(ps -o stat= -p "$(cat "$PIDFILE")") && [[ $state != Z* ]]
}
stopped() { ! running; }
started() { grep -q "Kafka Server started" "$LOG" && (exec 3<>"/dev/tcp/127.0.0.1/$PORT"); }

# One id for every node of the cluster, made once.
cluster_id() {
  mkdir -p "$TOP"
  [ -f "$TOP/cluster.id" ] || java_run kafka.tools.StorageTool random-uuid > "$TOP/cluster.id"
  cat "$TOP/cluster.id"
}

# Launch node $1 (not waiting for it); `started` tells when it is up.
launch() {
  node "$1"
  if running; then echo "kafka: node $1 already running on 127.0.0.1:$PORT"; return; fi
  port_free "$PORT" kafka PAVILION_KAFKA_PORT
  port_free "$CONTROLLER_PORT" kafka PAVILION_KAFKA_CONTROLLER_PORT
  write_config "$1"
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local id
    if [ "$NODES" = 1 ]; then id=$(java_run kafka.tools.StorageTool random-uuid); else id=$(cluster_id); fi
    local users=()
    mapfile -t users < <(scram_users)
    java_run kafka.tools.StorageTool format -t "$id" -c "$DIR/server.properties" "${users[@]}" >/dev/null
  fi
  : > "$LOG"
  # 1 GiB: a full test run leaves thousands of scratch partitions on the broker, and
  # 512 MiB ran out on a second run over the same data directory
  nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Dlog4j2.configurationFile="$DIR/log4j2.xml" \
    -cp "$LIBS/*" kafka.Kafka "$DIR/server.properties" >> "$LOG" 2>&1 &
  echo $! > "$PIDFILE"
}

start() {
  if [ "$PAVILION_KAFKA_EXTERNAL" = 1 ]; then echo "kafka: using $PAVILION_KAFKA_BOOTSTRAP"; return; fi
  local i
  if [ "$NODES" = 1 ] && node 1 && running; then
    echo "kafka: already running on $PAVILION_KAFKA_BOOTSTRAP"; return
  fi
  fetch_jars
  # the nodes of a cluster start together: each waits for a quorum of controllers
  for i in $(seq 1 "$NODES"); do launch "$i"; done
  for i in $(seq 1 "$NODES"); do
    node "$i"
    if ! wait_for 90 started; then
      echo "kafka: node $i did not start within 90 s; last log lines:" >&2; tail -20 "$LOG" >&2; exit 1
    fi
  done
  if [ "$NODES" = 1 ]; then echo "kafka: started on $PAVILION_KAFKA_BOOTSTRAP (log: $LOG)"
  else echo "kafka: $NODES nodes up from 127.0.0.1:$PAVILION_KAFKA_PORT (logs: $PAVILION_LOG_DIR/kafka-*.log)"; fi
}

# Every node is told at once: stopped one after another, the last would have lost its
# controllers' quorum and wait a minute for a controlled shutdown that cannot happen.
stop() {
  local i pids=()
  for i in $(seq 1 "$NODES"); do
    node "$i"
    if running; then pids[i]=$(cat "$PIDFILE"); kill "${pids[i]}"; else rm -f "$PIDFILE"; fi
  done
  for i in "${!pids[@]}"; do
    node "$i"
    wait_for 60 stopped || kill -9 "${pids[i]}"
    rm -f "$PIDFILE"
    if [ "$NODES" = 1 ]; then echo "kafka: stopped"; else echo "kafka: node $i stopped"; fi
  done
}

status() {
  local i down=0
  for i in $(seq 1 "$NODES"); do
    node "$i"
    if running; then
      if [ "$NODES" = 1 ]; then echo "kafka: running (pid $(cat "$PIDFILE"))"
      else echo "kafka: node $i running (pid $(cat "$PIDFILE"))"; fi
    else
      if [ "$NODES" = 1 ]; then echo "kafka: stopped"; else echo "kafka: node $i stopped"; fi
      down=1
    fi
  done
  [ "$down" = 0 ] || exit 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
