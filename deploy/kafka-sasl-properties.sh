# Sourced by deploy/kafka.sh (PAVILION_KAFKA_SASL=1) and by compose's broker
# (deploy/compose/kafka-sasl.sh): the properties that secure a broker whose listeners are
# SASL_PLAINTEXT (clients, and the brokers among themselves, as admin) and CONTROLLER.
# SCRAM credentials live in the metadata log, which a controller reads only once the
# quorum stands: the controllers authenticate each other with PLAIN (one user, admin).
# No ACL means no access; admin is the only super user.
sasl_properties() {  # $1: the admin's password
  cat <<PROPS
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$1";
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.sasl.enabled.mechanisms=PLAIN
listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="$1" user_admin="$1";
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin
PROPS
}
