#!/bin/sh
# First start of the compose PostgreSQL: one database per service.
set -eu
for db in pavilion_exhibitors pavilion_outreach pavilion_notifications pavilion_gateway; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" -c "CREATE DATABASE $db"
done
