#!/usr/bin/env bash
# Apicurio Registry, the schema registry (the Confluent Schema Registry API at
# /apis/ccompat/v7), without Docker: the application's Quarkus build as Maven Central
# serves it (io.apicurio:apicurio-registry-app, classifier `all`, a tar.gz of the
# fast-jar layout) unpacked once into $PAVILION_CACHE_DIR, run with a Java 21+ (it is
# compiled for 21). Its storage is SQL on our PostgreSQL: the database of
# PAVILION_REGISTRY_DATABASE_URL (default: pavilion_registry, owned by a role of that
# name, made here like a service's), so what is registered survives a restart.
# JSON Schema compatibility is checked by its draft-2020-12-aware checker
# (apicurio.compat.json-schema.use-apitomy; the default one refuses 2020-12 schemas).
# PAVILION_REGISTRY_URL set before env.sh is sourced means "use that one, start nothing".
# Usage: deploy/registry.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

# Also in docker-compose.yml (the image's tag): change both.
APICURIO_VERSION=3.3.3
HOME_DIR=$PAVILION_CACHE_DIR/apicurio-registry-$APICURIO_VERSION
DIR=$PAVILION_STATE_DIR/registry
PIDFILE=$DIR/registry.pid
LOG=$PAVILION_LOG_DIR/registry.log
PORT=$PAVILION_REGISTRY_PORT
MANAGEMENT_PORT=$PAVILION_REGISTRY_MANAGEMENT_PORT

fetch_app() {
  [ -f "$HOME_DIR/.complete" ] && return
  echo "registry: fetching Apicurio Registry $APICURIO_VERSION from Maven Central into $HOME_DIR"
  mkdir -p "$HOME_DIR"
  mvn -q -B -Dstyle.color=never dependency:copy \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$HOME_DIR"
  tar -xzf "$HOME_DIR/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$HOME_DIR"
  rm "$HOME_DIR/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz"
  touch "$HOME_DIR/.complete"
}

# A Java of release 21 or later: PAVILION_REGISTRY_JAVA, JAVA_HOME's, or one in /usr/lib/jvm.
java_21() {
  local candidate release
  for candidate in ${PAVILION_REGISTRY_JAVA:-} ${JAVA_HOME:+$JAVA_HOME/bin/java} \
                   /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [ -x "$candidate" ] || continue
    release=$("$candidate" -XshowSettings:properties -version 2>&1 \
      | sed -n 's/^ *java.specification.version = //p')
    [ "${release%%.*}" -ge 21 ] 2>/dev/null && { echo "$candidate"; return; }
  done
  echo "registry: Apicurio Registry needs Java 21 or later; set PAVILION_REGISTRY_JAVA" >&2
  return 1
}

# The JDBC form of PAVILION_REGISTRY_DATABASE_URL (postgresql://user[:password]@host[:port]/db).
jdbc_settings() {
  local url=${PAVILION_REGISTRY_DATABASE_URL#postgresql://} credentials=
  [[ $url == *@* ]] && { credentials=${url%%@*}; url=${url#*@}; }
  DB_USER=${credentials%%:*}
  DB_PASSWORD=""; [ "$credentials" = "$DB_USER" ] || DB_PASSWORD=${credentials#*:}
  JDBC_URL=jdbc:postgresql://$url
}

# The default database, owned by its own role, as deploy/postgres.sh makes a service's.
create_database() {
  [ "$PAVILION_REGISTRY_DATABASE_URL" = "$(default_database_url)" ] || return 0
  psql "$PAVILION_PG_URL/postgres" -qX -v ON_ERROR_STOP=1 -v name="${PAVILION_DB_PREFIX}_registry" \
    -f "$REPO_ROOT/deploy/compose/service-database.sql" >/dev/null
}

default_database_url() {
  local server=${PAVILION_PG_URL#*://}; server=${server##*@}; server=${server%%[/?]*}
  echo "postgresql://${PAVILION_DB_PREFIX}_registry@$server/${PAVILION_DB_PREFIX}_registry"
}

PAVILION_REGISTRY_DATABASE_URL=${PAVILION_REGISTRY_DATABASE_URL:-$(default_database_url)}

running() {
  local state
  [ -f "$PIDFILE" ] && state=$(ps -o stat= -p "$(cat "$PIDFILE")") && [[ $state != Z* ]]
}
stopped() { ! running; }
ready() { running && curl -fsS "http://127.0.0.1:$MANAGEMENT_PORT/health/ready" >/dev/null; }

start() {
  if [ "$PAVILION_REGISTRY_EXTERNAL" = 1 ]; then echo "registry: using $PAVILION_REGISTRY_URL"; return; fi
  if running; then echo "registry: already running on $PAVILION_REGISTRY_URL"; return; fi
  port_free "$PORT" registry PAVILION_REGISTRY_PORT
  port_free "$MANAGEMENT_PORT" registry PAVILION_REGISTRY_MANAGEMENT_PORT
  local java began=$SECONDS
  java=$(java_21)
  fetch_app
  create_database
  jdbc_settings
  mkdir -p "$DIR" "$PAVILION_LOG_DIR"
  : > "$LOG"
  # The password goes in the environment (Quarkus reads APICURIO_DATASOURCE_PASSWORD),
  # not on the command line that `ps` shows.
  APICURIO_DATASOURCE_PASSWORD=$DB_PASSWORD nohup "$java" -Xms64m -Xmx384m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$MANAGEMENT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
    -Dapicurio.datasource.url="$JDBC_URL" -Dapicurio.datasource.username="$DB_USER" \
    -Dapicurio.datasource.jdbc.initial-size=1 -Dapicurio.datasource.jdbc.min-size=1 \
    -Dapicurio.datasource.jdbc.max-size=10 \
    -Dapicurio.compat.json-schema.use-apitomy=true \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
    -jar "$HOME_DIR/quarkus-run.jar" >> "$LOG" 2>&1 &
  echo $! > "$PIDFILE"
  if ! wait_for 120 ready; then
    echo "registry: not ready within 120 s; last log lines:" >&2; tail -20 "$LOG" >&2; exit 1
  fi
  echo "registry: started on $PAVILION_REGISTRY_URL in $((SECONDS - began)) s (log: $LOG)"
}

stop() {
  [ "$PAVILION_REGISTRY_EXTERNAL" = 1 ] && return
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid"
  wait_for 60 stopped || kill -9 "$pid"
  rm -f "$PIDFILE"
  echo "registry: stopped"
}

status() {
  if [ "$PAVILION_REGISTRY_EXTERNAL" = 1 ]; then echo "registry: external, $PAVILION_REGISTRY_URL"; return; fi
  if running; then echo "registry: running (pid $(cat "$PIDFILE"))"; else echo "registry: stopped"; exit 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
