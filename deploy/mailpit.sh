#!/usr/bin/env bash
# Builds Mailpit, the mail server and viewer `make run` sends its emails to, once:
# $PAVILION_CACHE_DIR/mailpit-<version>/mailpit (its path is printed; a second run
# finds it and builds nothing). Needs Go (as new as Mailpit's go.mod asks) and npm.
#
# The source is the Go module, pinned (docker-compose.yml runs the same version). The
# module carries the web UI's sources (server/ui-src) but not the bundle the binary
# embeds (server/ui/dist, made by npm before each upstream release): a plain
# `go install` gives a server whose pages stay blank (dist/app.js answers 404). So the
# UI is bundled here first, with upstream's esbuild.config.mjs and the packages pinned in
# deploy/mailpit/ (upstream's own lock file names versions the npm registry does not
# serve), then `go build` embeds it: every page and asset comes from the binary itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/env.sh"
MAILPIT_VERSION=v1.33.1
MODULE=github.com/axllent/mailpit
target=$PAVILION_CACHE_DIR/mailpit-$MAILPIT_VERSION/mailpit
[ -x "$target" ] && { echo "$target"; exit 0; }

go=$(command -v go || echo /usr/local/go/bin/go)
if ! [ -x "$go" ]; then
  echo "mailpit: building it needs the Go toolchain (go on PATH or /usr/local/go/bin/go)" >&2
  exit 1
fi
command -v npm >/dev/null || { echo "mailpit: building its web UI needs npm" >&2; exit 1; }
export GOTOOLCHAIN=local  # the Go that is here, or a clear refusal: no toolchain download
mkdir -p "$PAVILION_CACHE_DIR"
work=$(mktemp -d "$PAVILION_CACHE_DIR/mailpit-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "building Mailpit $MAILPIT_VERSION (once; a few minutes)" >&2
source_dir=$(cd "$work" && "$go" mod download -json "$MODULE@$MAILPIT_VERSION" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
needs=$(sed -n 's/^go //p' "$source_dir/go.mod")
have=$("$go" env GOVERSION)
if [ "$(printf '%s\n' "$needs" "${have#go}" | sort -V | head -1)" != "$needs" ]; then
  echo "mailpit: $MAILPIT_VERSION needs Go >= $needs; $go is $have" >&2
  exit 1
fi
cp -R "$source_dir/." "$work/src"
chmod -R u+w "$work/src"
cp "$here/mailpit/package.json" "$here/mailpit/package-lock.json" "$work/src/"
(
  cd "$work/src"
  npm ci --no-audit --no-fund --loglevel=error >&2
  MINIFY=true node esbuild.config.mjs >&2
  [ -s server/ui/dist/app.js ] || { echo "mailpit: its web UI did not build" >&2; exit 1; }
  CGO_ENABLED=0 "$go" build -trimpath -o "$work/mailpit" \
    -ldflags "-s -w -X $MODULE/config.Version=$MAILPIT_VERSION" .
)
mkdir -p "$(dirname "$target")"
mv "$work/mailpit" "$target"
echo "$target"
