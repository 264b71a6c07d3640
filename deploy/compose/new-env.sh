#!/usr/bin/env bash
# Prints a complete .env for docker-compose.yml with fresh random secrets:
#   deploy/compose/new-env.sh > .env && docker compose up -d
# Keep the file private (chmod 600 .env; never commit it): it holds every secret of the
# stack. The PostgreSQL passwords take effect on the first start of an empty volume.
set -euo pipefail

secret() {  # $1 random bytes, URL-safe (the passwords go into database URLs as they are)
  python3 -c 'import secrets, sys; print(secrets.token_urlsafe(int(sys.argv[1])))' "$1"
}

cat <<ENV
# Made by deploy/compose/new-env.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). Never commit it.
POSTGRES_PASSWORD=$(secret 24)
EXHIBITORS_DB_PASSWORD=$(secret 24)
OUTREACH_DB_PASSWORD=$(secret 24)
NOTIFICATIONS_DB_PASSWORD=$(secret 24)
GATEWAY_DB_PASSWORD=$(secret 24)
REGISTRY_DB_PASSWORD=$(secret 24)
PAVILION_SERVICE_TOKEN_SECRET=$(secret 48)
PAVILION_UNSUBSCRIBE_SECRET=$(secret 48)
PAVILION_PSEUDONYM_SECRET=$(secret 48)
PAVILION_JWT_SECRET=$(secret 48)
PAVILION_JWT_JWKS_URL=
NOTIFICATIONS_PUBLIC_URL=http://localhost:8004
KAFKA_ADMIN_PASSWORD=$(secret 24)
KAFKA_EXHIBITORS_PASSWORD=$(secret 24)
KAFKA_OUTREACH_PASSWORD=$(secret 24)
KAFKA_NOTIFICATIONS_PASSWORD=$(secret 24)
KAFKA_GATEWAY_PASSWORD=$(secret 24)
KAFKA_INTEGRATOR_PASSWORD=$(secret 24)
KAFKA_IMAGE=apache/kafka:4.1.2
POSTGRES_IMAGE=postgres:15
REGISTRY_IMAGE=quay.io/apicurio/apicurio-registry:3.3.3
GATEWAY_PORT=8000
UNSUBSCRIBE_PORT=8004
MAILPIT_UI_PORT=8025
ENV
