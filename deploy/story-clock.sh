# Sourced by deploy/run.sh: the story clock of `make run` (dev mode only; the services
# refuse a simulated clock anywhere else). The demo plays the story of the domain: half a
# year before the 4th expo (June 2026) ...
export PAVILION_SIMULATED_START=${PAVILION_SIMULATED_START:-2025-12-01T09:00:00Z}
# ... from the real instant of the first make run in this state directory, kept in
# $PAVILION_STATE_DIR/simulated-since: every process (and every restart of one, and the
# next make run) tells the same story time, never the start again. Delete the file to
# begin the story anew.
mkdir -p "$PAVILION_STATE_DIR"
[ -s "$PAVILION_STATE_DIR/simulated-since" ] || date -u +%FT%TZ > "$PAVILION_STATE_DIR/simulated-since"
export PAVILION_SIMULATED_SINCE=${PAVILION_SIMULATED_SINCE:-$(cat "$PAVILION_STATE_DIR/simulated-since")}
