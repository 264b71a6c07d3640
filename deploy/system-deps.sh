#!/usr/bin/env bash
# Installs the system packages Pavilion needs when they are missing (Debian, as root):
# PostgreSQL server binaries, pgBackRest (PAVILION_BACKUP=1 and `pavilion backup`),
# Java 17 + Maven (for the Kafka jars), docker-compose
# (the test suite validates docker-compose.yml with it), kcat (the integrator test reads
# the topics with it), wrk (the benchmarks' load generator), node and npm (the
# benchmarks' PostGraphile, bench/peers/postgraphile; Mailpit's web UI; the console's
# build), Go (Mailpit, deploy/mailpit.sh, which says so when this Go is older than
# Mailpit needs: Debian 12's golang is 1.19, Mailpit v1.33.1 needs 1.26), chromium, its
# driver and CJK fonts (the console's browser tests, in English and Chinese). Anything
# present is left alone.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v pgbackrest >/dev/null || missing+=(pgbackrest)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v kcat >/dev/null || missing+=(kcat)
command -v wrk >/dev/null || missing+=(wrk)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v go >/dev/null || [ -x /usr/local/go/bin/go ] || missing+=(golang)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# (no `fc-list | grep -q`: grep's early exit fails fc-list under pipefail)
[ -n "$(fc-list :lang=zh-cn 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing system packages: ${missing[*]} (install them, e.g. apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
