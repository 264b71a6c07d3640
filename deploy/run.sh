#!/usr/bin/env bash
# `make run`: PostgreSQL, Kafka, the schema registry and every Pavilion process as local
# processes.
# Logs: $PAVILION_LOG_DIR/<process>.log (JSON lines; `tail -f` them). Ctrl-C stops all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
cd "$REPO_ROOT"

# Development defaults for the secrets (the services refuse to start without real ones
# anywhere else: compose and Kubernetes never set this).
export PAVILION_ENV=dev
# Each service connects as its own role to its own database, which deploy/postgres.sh
# makes (no passwords: the local server trusts loopback). Operator commands keep the
# superuser's PAVILION_PG_URL.
pg_server=${PAVILION_PG_URL#*://}; pg_server=${pg_server##*@}; pg_server=${pg_server%%[/?]*}
for service in $PAVILION_SERVICES; do
  variable=PAVILION_${service^^}_DATABASE_URL
  export "$variable=${!variable:-postgresql://${PAVILION_DB_PREFIX}_$service@$pg_server/${PAVILION_DB_PREFIX}_$service}"
done
export PAVILION_EXHIBITORS_PORT=${PAVILION_EXHIBITORS_PORT:-8001}
export PAVILION_OUTREACH_PORT=${PAVILION_OUTREACH_PORT:-8002}
export PAVILION_NOTIFICATIONS_PORT=${PAVILION_NOTIFICATIONS_PORT:-8003}
# The unsubscribe pages: the notifications service's only public surface.
export PAVILION_NOTIFICATIONS_PUBLIC_PORT=${PAVILION_NOTIFICATIONS_PUBLIC_PORT:-8004}
export PAVILION_NOTIFICATIONS_PUBLIC_URL=${PAVILION_NOTIFICATIONS_PUBLIC_URL:-http://127.0.0.1:$PAVILION_NOTIFICATIONS_PUBLIC_PORT}
# Mailpit takes the emails on the SMTP port and shows them on the other (web UI, REST API).
export PAVILION_SMTP_PORT=${PAVILION_SMTP_PORT:-11025}
export PAVILION_MAILPIT_PORT=${PAVILION_MAILPIT_PORT:-8025}
export PAVILION_MAIL_VIEWER_URL=${PAVILION_MAIL_VIEWER_URL:-http://127.0.0.1:$PAVILION_MAILPIT_PORT}
MAILPIT=$("$here/mailpit.sh")
export PAVILION_GATEWAY_PORT=${PAVILION_GATEWAY_PORT:-8000}
export PAVILION_GATEWAY_GRAPHIQL=${PAVILION_GATEWAY_GRAPHIQL:-true}
# Where the gateway sends commands: the internal APIs on the ports above.
export PAVILION_EXHIBITORS_URL=${PAVILION_EXHIBITORS_URL:-http://127.0.0.1:$PAVILION_EXHIBITORS_PORT}
export PAVILION_OUTREACH_URL=${PAVILION_OUTREACH_URL:-http://127.0.0.1:$PAVILION_OUTREACH_PORT}
export PAVILION_NOTIFICATIONS_URL=${PAVILION_NOTIFICATIONS_URL:-http://127.0.0.1:$PAVILION_NOTIFICATIONS_PORT}
# A dev secret for the gateway's bearer tokens (`python -m gateway.cli token` mints them).
export PAVILION_JWT_SECRET=${PAVILION_JWT_SECRET:-pavilion-dev-secret-not-for-production-use}
PROCESSES=("exhibitors api" "exhibitors relay" "exhibitors reactor" "exhibitors scheduler"
           "outreach api" "outreach relay" "outreach reactor" "outreach scheduler"
           "notifications worker" "notifications relay" "notifications webhooks" "notifications api"
           "notifications public"
           "gateway projector" "gateway api")
pids=()
# Ctrl-C reaches every process of the group at once: the supervisors must not take
# their children's exits for crashes then, and start them again (see supervise).
# (This run's own mark: a second make run refused for ports in use stops too.)
STOPPING=$PAVILION_STATE_DIR/run.stopping.$$
mkdir -p "$PAVILION_STATE_DIR"

stop_all() {
  trap - INT TERM EXIT
  touch "$STOPPING"
  echo; echo "stopping..."
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -f "$STOPPING"
  "$here/registry.sh" stop || true
  "$here/kafka.sh" stop || true
  "$here/postgres.sh" stop || true
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

# Keep a process running: when it exits (a crash, a kill), start it again after a
# backoff — 1 s doubling to 30 s, back to 1 s after a run of a minute — and say so.
# A process that refuses its settings (exit 2) is not restarted: make run stops.
supervise() {
  local name=$1 delay=1 child code began; shift
  trap '[ -n "${child:-}" ] && kill -TERM "$child" 2>/dev/null; wait "${child:-}" 2>/dev/null; exit 0' TERM INT
  while true; do
    began=$SECONDS
    "$@" >> "$PAVILION_LOG_DIR/$name.log" 2>&1 &
    child=$!
    code=0; wait "$child" || code=$?
    [ -e "$STOPPING" ] && exit 0
    [ "$code" = 2 ] && { echo "$name refused its settings (see $PAVILION_LOG_DIR/$name.log)" >&2; exit 2; }
    [ $((SECONDS - began)) -ge 60 ] && delay=1
    echo "$(date -u +%FT%TZ) $name exited with code $code; restarting in ${delay}s" \
      | tee -a "$PAVILION_LOG_DIR/supervisor.log" >&2
    sleep "$delay" & child=$!; wait "$child" || true
    [ -e "$STOPPING" ] && exit 0
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

"$here/postgres.sh" start
"$here/kafka.sh" start
# A cluster (PAVILION_KAFKA_NODES=3) keeps three copies of every topic the services make.
[ "${PAVILION_KAFKA_NODES:-1}" = 1 ] || export PAVILION_KAFKA_REPLICATION=${PAVILION_KAFKA_REPLICATION:-3}
# Secured (PAVILION_KAFKA_SASL=1): the operator's commands (here and in this shell's
# children) authenticate as admin, which makes the topics (no service may) and the ACLs;
# each process runs as its service's principal (see supervise below).
if [ "${PAVILION_KAFKA_SASL:-0}" = 1 ]; then
  source "$here/kafka-credentials.sh"
  kafka_credentials
  export PAVILION_KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT PAVILION_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
  export PAVILION_KAFKA_USERNAME=admin PAVILION_KAFKA_PASSWORD=$PAVILION_KAFKA_ADMIN_PASSWORD
  .venv/bin/pavilion topics create
  .venv/bin/pavilion kafka acls | tail -1
fi
# Secured, a service's processes authenticate as its principal, knowing no other's
# password (called in the subshell that supervises them).
as_principal() {
  [ "${PAVILION_KAFKA_SASL:-0}" = 1 ] || return 0
  local variable=PAVILION_KAFKA_${1^^}_PASSWORD principal
  export PAVILION_KAFKA_USERNAME=$1 PAVILION_KAFKA_PASSWORD=${!variable}
  for principal in $KAFKA_PRINCIPALS; do unset "PAVILION_KAFKA_${principal^^}_PASSWORD"; done
}
# Every event schema in the registry before anything publishes (a no-op when unchanged;
# a schema the registry refuses as incompatible stops make run).
"$here/registry.sh" start
.venv/bin/python -m pavilion_contracts.registry
mkdir -p "$PAVILION_LOG_DIR"
ports=(PAVILION_SMTP_PORT PAVILION_MAILPIT_PORT PAVILION_EXHIBITORS_PORT PAVILION_OUTREACH_PORT PAVILION_NOTIFICATIONS_PORT
       PAVILION_NOTIFICATIONS_PUBLIC_PORT PAVILION_GATEWAY_PORT)
for variable in "${ports[@]}"; do port_free "${!variable}" pavilion "$variable"; done
# Every email the system sends, kept in Mailpit's database under the state dir.
mkdir -p "$PAVILION_STATE_DIR/mailpit"
supervise mailpit "$MAILPIT" --smtp "127.0.0.1:$PAVILION_SMTP_PORT" \
  --listen "127.0.0.1:$PAVILION_MAILPIT_PORT" --database "$PAVILION_STATE_DIR/mailpit/mail.db" \
  --disable-version-check &
pids+=($!)
for process in "${PROCESSES[@]}"; do
  read -r service role <<< "$process"
  (as_principal "$service"; supervise "$service-$role" .venv/bin/python -m "$service" "$role") &
  pids+=($!)
done

wait_for 60 curl -fsS "http://127.0.0.1:$PAVILION_MAILPIT_PORT/readyz" \
  || { echo "mailpit did not become ready on port $PAVILION_MAILPIT_PORT; see $PAVILION_LOG_DIR" >&2; exit 1; }
# Ready, and the right service on the port (not another program that was there first).
ready() { curl -fsS "http://127.0.0.1:$1/readyz" | grep -q "\"service\":\"$2\""; }
for api in exhibitors outreach notifications notifications_public gateway; do
  variable=PAVILION_${api^^}_PORT
  wait_for 180 ready "${!variable}" "${api/_/-}" \
    || { echo "$api did not become ready on port ${!variable}; see $PAVILION_LOG_DIR" >&2; exit 1; }
done
# The demo scenario, on the real clock (a second make run adds nothing):
# 1. the delegation's trip recruiting for the 5th expo, its dates around the day of the
#    first load (deploy/demo-anchor.sh); loaded once per state directory (its keys would
#    expire after PAVILION_IDEMPOTENCY_RETENTION_HOURS, and outreach's ids are new ones);
source "$here/demo-anchor.sh"
if [ ! -e "$PAVILION_STATE_DIR/outreach-demo-loaded" ]; then
  .venv/bin/python -m outreach.demo --api "http://127.0.0.1:$PAVILION_OUTREACH_PORT" \
    --anchor "$PAVILION_DEMO_ANCHOR"
  touch "$PAVILION_STATE_DIR/outreach-demo-loaded"
fi
# 2. the 4th edition's story as history, with its original times (its keys are kept for
#    good: loading it again adds nothing);
.venv/bin/python -m exhibitors.demo --api "http://127.0.0.1:$PAVILION_EXHIBITORS_PORT"
# 3. the 5th edition (CISCE-2027) recruiting now: created, its floor plan copied from the
#    4th, a re-booking campaign offered to the 4th's confirmed exhibitors (some answered)
#    and new companies applying; loaded once per state directory, like the trip.
if [ ! -e "$PAVILION_STATE_DIR/recruiting-demo-loaded" ]; then
  .venv/bin/python -m exhibitors.recruiting --api "http://127.0.0.1:$PAVILION_EXHIBITORS_PORT" \
    --anchor "$PAVILION_DEMO_ANCHOR"
  touch "$PAVILION_STATE_DIR/recruiting-demo-loaded"
fi
# Then wait until the read model shows it all.
.venv/bin/python -m gateway.cli caught-up --seconds 180 \
  || echo "the read model is still catching up: queries show less for a while" >&2
TOKEN=$(.venv/bin/python -m gateway.cli token --role ADMIN --subject staff:dev)
QUERY='{"query":"{ exhibitors(edition: \"CISCE-2026\", first: 5) { totalCount edges { node { companyName country status } } } }"}'
# A command goes through the gateway too (the command APIs are internal: they take only
# the service tokens the gateway and operator commands mint); `wait` answers once the
# read model shows it, and the idempotency key makes a second try return the first result.
MUTATION='{"query":"mutation { submitExhibitorApplication(input: {idempotencyKey: \"try-maple-robotics\", wait: true, edition: \"CISCE-2027\", companyName: \"Maple Robotics\", country: \"CA\", supplyChainAreas: [ADVANCED_MANUFACTURING]}) { exhibitor { id companyName status } version consistencyToken userErrors { code message } } }"}'
GRAPHQL=http://127.0.0.1:$PAVILION_GATEWAY_PORT/graphql
# The console's one-click dev sign-in: the token rides in the fragment (#…), which the
# browser never sends to a server; the console keeps it for the tab and drops it from the URL.
CONSOLE=http://127.0.0.1:$PAVILION_GATEWAY_PORT/console/

# Where integrators (and kcat) find the brokers, and, when secured, the credentials.
kafka_info() {
  echo "  Kafka:            $PAVILION_KAFKA_BOOTSTRAP"
  [ "${PAVILION_KAFKA_SASL:-0}" = 1 ] || return 0
  cat <<KAFKA
    SASL_PLAINTEXT, SCRAM-SHA-512; the principals' passwords: $KAFKA_CREDENTIALS
    integrator (reads pavilion.*.v1 with groups integrator.*):
      kcat -b $PAVILION_KAFKA_BOOTSTRAP -X security.protocol=SASL_PLAINTEXT \\
        -X sasl.mechanisms=SCRAM-SHA-512 -X sasl.username=integrator \\
        -X sasl.password=\$(grep ^PAVILION_KAFKA_INTEGRATOR_PASSWORD $KAFKA_CREDENTIALS | cut -d= -f2-) -L
KAFKA
}

cat <<INFO

Pavilion is ready.
  console:          $CONSOLE
  sign in (ADMIN):  $CONSOLE#token=$TOKEN
  GraphQL:          $GRAPHQL
  GraphiQL (ADMIN): $GRAPHQL#token=$TOKEN
  unsubscribe page: $PAVILION_NOTIFICATIONS_PUBLIC_URL/unsubscribe/<token>  (the link in every email)
  emails sent:      $PAVILION_MAIL_VIEWER_URL  (Mailpit; SMTP on port $PAVILION_SMTP_PORT)
  schema registry:  $PAVILION_REGISTRY_URL/apis/ccompat/v7/subjects  (each event's schema, by ce_type)
  logs:             $PAVILION_LOG_DIR/*.log
  internal APIs (service tokens only; OpenAPI at /docs): exhibitors :$PAVILION_EXHIBITORS_PORT,
    outreach :$PAVILION_OUTREACH_PORT, notifications :$PAVILION_NOTIFICATIONS_PORT
$(kafka_info)

Try a query, then a command:
  curl -s $GRAPHQL -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" \\
    -d '$QUERY'
  curl -s $GRAPHQL -H 'content-type: application/json' \\
    -H "authorization: Bearer $TOKEN" \\
    -d '$MUTATION'

A dev token (ADMIN, 8 hours):
  $TOKEN

Ctrl-C stops everything; data stays in $PAVILION_STATE_DIR for the next run.
INFO
wait -n "${pids[@]}" || true
echo "a process could not be kept running; see $PAVILION_LOG_DIR" >&2
