"""Fault injection against the real stack (`make chaos`): does Pavilion ride out each
fault, lose nothing, do nothing twice and come back on its own? See docs/reliability.md."""
