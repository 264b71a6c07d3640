"""`make chaos` in small: two of its faults through the same harness (bench/chaos), on
the suite's PostgreSQL and Kafka (signalled never: only processes the harness started,
and the relay's own PostgreSQL connections). Under load, the gateway's projector is
SIGKILLed, then the exhibitors relay loses its PostgreSQL connections: every command
the exhibitors API accepted reaches the topic and the read model once, and every
process is back within 10 s."""

from pathlib import Path
from typing import Any

import pytest

from bench.chaos.run import RECOVERY, Timing, chaos
from bench.chaos.stack import Stack

PROCESSES = ["exhibitors api", "exhibitors relay", "gateway projector"]
FAULTS = ["projector-kill", "relay-pg-loss"]


@pytest.mark.timeout(240)
async def test_a_projector_kill_and_the_relay_losing_postgres_lose_nothing(
    tmp_path: Path,
) -> None:
    notes: list[str] = []
    results = await chaos(
        FAULTS,
        lambda fault: Stack(
            PROCESSES, kafka_nodes=fault.kafka_nodes, external=True, state=tmp_path
        ),
        Timing(warmup=3, after=6, writers=2),
        notes.append,
    )
    assert [r["fault"] for r in results] == FAULTS, notes
    for result in results:
        assert result["accepted"] > 0, result
        assert _verdict(result) == {
            "lost": 0,
            "duplicated": 0,
            "error": None,
            "recovered": True,
        }, result
        assert result["restored_s"] <= RECOVERY, result


def _verdict(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("lost", "duplicated", "error", "recovered")}
