# Sourced by deploy/kafka.sh and deploy/run.sh when PAVILION_KAFKA_SASL=1: the SCRAM
# principals and their passwords. A password set in the environment
# (PAVILION_KAFKA_<PRINCIPAL>_PASSWORD) wins; any other is generated once, randomly, into
# $PAVILION_STATE_DIR/kafka-credentials (mode 0600) and read from there on later runs.
# Passwords are letters and digits (they go into SCRAM bootstrap records and JAAS lines).
# The principals are those of pavilion_ops.acls (ADMIN and every PRINCIPALS key).
KAFKA_PRINCIPALS="admin exhibitors outreach notifications gateway integrator"
KAFKA_CREDENTIALS=$PAVILION_STATE_DIR/kafka-credentials

kafka_credentials() {
  local principal variable
  mkdir -p "$PAVILION_STATE_DIR"
  (umask 077; touch "$KAFKA_CREDENTIALS")
  chmod 600 "$KAFKA_CREDENTIALS"
  for principal in $KAFKA_PRINCIPALS; do
    variable=PAVILION_KAFKA_${principal^^}_PASSWORD
    if [ -z "${!variable:-}" ]; then
      grep -q "^$variable=" "$KAFKA_CREDENTIALS" \
        || echo "$variable=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" >> "$KAFKA_CREDENTIALS"
      export "$(grep "^$variable=" "$KAFKA_CREDENTIALS")"
    fi
    [[ ${!variable} =~ ^[A-Za-z0-9]+$ ]] \
      || { echo "kafka: $variable must be letters and digits only" >&2; return 2; }
    export "${variable?}"
  done
}
