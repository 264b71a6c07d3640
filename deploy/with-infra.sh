#!/usr/bin/env bash
# Run a command with PostgreSQL and Kafka up. Starts whichever is not running yet and,
# when the command ends, stops only what it started (a developer's running stack stays).
# Usage: deploy/with-infra.sh COMMAND [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"

started=()
cleanup() {
  local s
  for s in "${started[@]}"; do "$here/$s.sh" stop || true; done
}
trap cleanup EXIT
for s in postgres kafka; do
  "$here/$s.sh" status >/dev/null 2>&1 || started+=("$s")
  "$here/$s.sh" start
done
"$@"
