"""Loading demo data through a service's own command API, so that it goes through the
same validation, events and relay as real work. Every request carries an
Idempotency-Key derived from the seed and its step: loading again changes nothing."""

import random
from dataclasses import dataclass, field
from typing import Any

import httpx


class SeedingFailed(RuntimeError):
    """The service refused a step of the scenario."""


@dataclass
class Seeder:
    client: httpx.AsyncClient
    seed: int
    name: str = "demo"
    rng: random.Random = field(init=False)
    steps: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    async def post(self, path: str, body: dict[str, Any]) -> str:
        """POST the step; the id of the record it changed."""
        self.steps += 1
        key = f"{self.name}-{self.seed}-{self.steps}"
        response = await self.client.post(path, json=body, headers={"idempotency-key": key})
        if response.status_code >= 300:
            raise SeedingFailed(f"POST {path} -> {response.status_code}: {response.text[:300]}")
        return str(response.json()["id"])
