# Sourced by deploy/run.sh: the day the demo's outreach story is set around (its trip
# from two days before to three days after). The first make run in this state directory
# keeps its day in $PAVILION_STATE_DIR/demo-anchor and every later run reads it back, so
# that a load on a later day is the same scenario, not a second one. Delete the file (and
# the state directory's data) to begin anew.
mkdir -p "$PAVILION_STATE_DIR"
[ -s "$PAVILION_STATE_DIR/demo-anchor" ] || date -u +%F > "$PAVILION_STATE_DIR/demo-anchor"
export PAVILION_DEMO_ANCHOR=${PAVILION_DEMO_ANCHOR:-$(cat "$PAVILION_STATE_DIR/demo-anchor")}
