#!/usr/bin/env bash
# First start of the compose PostgreSQL (an empty volume): one database per service and
# one for the schema registry, each owned by a login role of the same name with the
# password from .env (<SERVICE>_DB_PASSWORD, which docker-compose.yml passes to this container), no
# superuser, and CONNECT to its own database only (service-database.sql).
# The SQL is idempotent and hands an existing database and everything in it to the role,
# so a volume made before the roles is upgraded, and changed passwords are set, by
# running it again once the container has the new environment (docker compose up -d):
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-databases.sh
set -euo pipefail
for service in exhibitors outreach notifications gateway registry; do
  variable=${service^^}_DB_PASSWORD
  [ -n "${!variable:-}" ] || { echo "postgres-init: $variable is not set" >&2; exit 1; }
  psql -v ON_ERROR_STOP=1 -qX --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v name="pavilion_$service" -v password="${!variable}" -f /pavilion/service-database.sql
done
# The vault (crypto-shredding keys): its own database and owner, the services' roles
# granted what each may do there (vault-database.sql).
psql -v ON_ERROR_STOP=1 -qX --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v prefix=pavilion -v vault_sql=/pavilion/vault/001_keys.sql -f /pavilion/vault-database.sql
