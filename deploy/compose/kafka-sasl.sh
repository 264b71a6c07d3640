#!/usr/bin/env bash
# The compose Kafka node's entrypoint (apache/kafka image): SASL/SCRAM-SHA-512 for clients
# and between brokers, SASL/PLAIN between controllers, the StandardAuthorizer with no
# ACL meaning no access, `admin` the only super user (as deploy/kafka.sh's secured mode).
# The storage is formatted on the first start with every principal's SCRAM user, their
# passwords from the environment (KAFKA_<PRINCIPAL>_PASSWORD, from .env); the ACLs and
# topics are kafka-init's (deploy/compose/kafka-init.sh).
# Settings: NODE_ID, NODE_HOST (this node's name on the compose network), VOTERS,
# REPLICAS, MIN_ISR, CLUSTER_ID.
set -euo pipefail
source /pavilion/kafka-sasl-properties.sh
PRINCIPALS="admin exhibitors outreach notifications gateway integrator"
CONFIG=/opt/kafka/config/pavilion.properties
DATA=/var/lib/kafka/data
for principal in $PRINCIPALS; do
  variable=KAFKA_${principal^^}_PASSWORD
  [[ ${!variable:-} =~ ^[A-Za-z0-9_-]{16,}$ ]] && [[ ${!variable} != change-me* ]] \
    || { echo "set $variable: 16 or more letters, digits, - and _ (deploy/compose/new-env.sh)" >&2; exit 2; }
done
umask 077
cat > "$CONFIG" <<PROPS
process.roles=broker,controller
node.id=$NODE_ID
controller.quorum.voters=$VOTERS
listeners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093
advertised.listeners=SASL_PLAINTEXT://$NODE_HOST:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_PLAINTEXT
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
$(sasl_properties "$KAFKA_ADMIN_PASSWORD")
log.dirs=$DATA
num.partitions=6
auto.create.topics.enable=false
default.replication.factor=$REPLICAS
min.insync.replicas=$MIN_ISR
offsets.topic.replication.factor=$REPLICAS
transaction.state.log.replication.factor=$REPLICAS
transaction.state.log.min.isr=$MIN_ISR
share.coordinator.state.topic.replication.factor=$REPLICAS
share.coordinator.state.topic.min.isr=$MIN_ISR
group.initial.rebalance.delay.ms=0
PROPS
if [ ! -f "$DATA/meta.properties" ]; then
  users=()
  for principal in $PRINCIPALS; do
    variable=KAFKA_${principal^^}_PASSWORD
    users+=(--add-scram "SCRAM-SHA-512=[name=$principal,password=${!variable}]")
  done
  /opt/kafka/bin/kafka-storage.sh format -t "$CLUSTER_ID" -c "$CONFIG" "${users[@]}"
fi
# the admin's client settings, for the health check and operators' tools in the container
cat > /opt/kafka/config/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$KAFKA_ADMIN_PASSWORD";
PROPS
exec /opt/kafka/bin/kafka-server-start.sh "$CONFIG"
