#!/usr/bin/env bash
# compose's one-shot kafka-init (apache/kafka image, as admin): the three topics and their
# .dlq twins, kept forever (no service may create a topic), then the ACLs of
# deploy/compose/kafka-acls.tsv — `pavilion kafka acls --table`, the one definition in
# tools/pavilion-ops (tests/integration/test_deploy.py checks the file equals it).
# Adding an ACL that exists changes nothing: running it again is harmless.
set -euo pipefail
BIN=/opt/kafka/bin
umask 077
cat > /tmp/admin.properties <<PROPS
security.protocol=SASL_PLAINTEXT
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$KAFKA_ADMIN_PASSWORD";
PROPS
admin=(--bootstrap-server "$KAFKA_BOOTSTRAP" --command-config /tmp/admin.properties)
for topic in pavilion.exhibitors.v1 pavilion.outreach.v1 pavilion.notifications.v1; do
  for name in "$topic" "$topic.dlq"; do
    "$BIN/kafka-topics.sh" "${admin[@]}" --create --if-not-exists --topic "$name" \
      --partitions "$KAFKA_PARTITIONS" --replication-factor "$KAFKA_REPLICATION" \
      --config retention.ms=-1 --config retention.bytes=-1
  done
done
# one kafka-acls.sh run per principal and resource, with all of its operations
while IFS=$'\t' read -r principal resource name pattern operations; do
  args=(--add --allow-principal "User:$principal" --allow-host '*'
        "--$resource" "$name" --resource-pattern-type "$pattern")
  for operation in $operations; do args+=(--operation "${operation//_/}"); done
  "$BIN/kafka-acls.sh" "${admin[@]}" "${args[@]}" >/dev/null
done < <(awk -F'\t' '{k = $1 FS $2 FS $3 FS $4; ops[k] = ops[k] " " $5} END {for (k in ops) print k FS ops[k]}' \
           /pavilion/kafka-acls.tsv)
echo "kafka-init: topics and $(wc -l < /pavilion/kafka-acls.tsv) ACLs in place"
