# Sourced by the deploy scripts: every setting with a local default that does not
# collide with a system Kafka (9092) or PostgreSQL (5432). Variables already set in the
# environment win; PAVILION_KAFKA_BOOTSTRAP / PAVILION_PG_URL set before this file is
# sourced mean "use that existing broker / server, start nothing".
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export REPO_ROOT

[ -n "${PAVILION_KAFKA_BOOTSTRAP:-}" ] && PAVILION_KAFKA_EXTERNAL=${PAVILION_KAFKA_EXTERNAL:-1}
[ -n "${PAVILION_PG_URL:-}" ] && PAVILION_PG_EXTERNAL=${PAVILION_PG_EXTERNAL:-1}
[ -n "${PAVILION_REGISTRY_URL:-}" ] && PAVILION_REGISTRY_EXTERNAL=${PAVILION_REGISTRY_EXTERNAL:-1}
export PAVILION_KAFKA_EXTERNAL=${PAVILION_KAFKA_EXTERNAL:-0}
export PAVILION_PG_EXTERNAL=${PAVILION_PG_EXTERNAL:-0}
export PAVILION_REGISTRY_EXTERNAL=${PAVILION_REGISTRY_EXTERNAL:-0}

export PAVILION_KAFKA_PORT=${PAVILION_KAFKA_PORT:-19092}
export PAVILION_KAFKA_CONTROLLER_PORT=${PAVILION_KAFKA_CONTROLLER_PORT:-19093}
# every node of a cluster (PAVILION_KAFKA_NODES, deploy/kafka.sh): its broker ports are 2 apart
kafka_nodes=()
for ((i = 0; i < ${PAVILION_KAFKA_NODES:-1}; i++)); do kafka_nodes+=("127.0.0.1:$((PAVILION_KAFKA_PORT + 2 * i))"); done
export PAVILION_KAFKA_BOOTSTRAP=${PAVILION_KAFKA_BOOTSTRAP:-$(IFS=,; echo "${kafka_nodes[*]}")}
export PAVILION_PG_PORT=${PAVILION_PG_PORT:-55432}
export PAVILION_PG_URL=${PAVILION_PG_URL:-postgresql://postgres@127.0.0.1:$PAVILION_PG_PORT}
# The schema registry (deploy/registry.sh): its API, and Quarkus' health on the other port.
export PAVILION_REGISTRY_PORT=${PAVILION_REGISTRY_PORT:-8081}
export PAVILION_REGISTRY_MANAGEMENT_PORT=${PAVILION_REGISTRY_MANAGEMENT_PORT:-8091}
export PAVILION_REGISTRY_URL=${PAVILION_REGISTRY_URL:-http://127.0.0.1:$PAVILION_REGISTRY_PORT}
# One database per service, `<prefix>_<service>`, owned by a login role of the same name
# that is no superuser and may connect to its own database only (deploy/postgres.sh).
export PAVILION_SERVICES="exhibitors outreach notifications gateway"
export PAVILION_DB_PREFIX=${PAVILION_DB_PREFIX:-pavilion}

# Scratch state lives outside the checkout so that the postgres user can reach it
# even when the checkout sits under a private home directory.
repo_key=$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)
export PAVILION_STATE_DIR=${PAVILION_STATE_DIR:-/var/tmp/pavilion-$repo_key}
export PAVILION_CACHE_DIR=${PAVILION_CACHE_DIR:-$HOME/.cache/pavilion}
export PAVILION_LOG_DIR=${PAVILION_LOG_DIR:-$PAVILION_STATE_DIR/logs}
# Backups of the local PostgreSQL (deploy/backup.sh): off unless PAVILION_BACKUP=1.
export PAVILION_BACKUP=${PAVILION_BACKUP:-0}
export PAVILION_BACKUP_DIR=${PAVILION_BACKUP_DIR:-$PAVILION_STATE_DIR/backup}

# Wait until "$@" succeeds, checking every 0.2 s, for at most $1 seconds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# Refuse to start a server on a port something else already listens on.
port_free() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    echo "$2: port $1 is already in use (another checkout's stack?); set $3 to another port" >&2
    return 1
  fi
}
