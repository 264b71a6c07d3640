"""The typed context built for each GraphQL request."""

from dataclasses import dataclass

import asyncpg
from strawberry.fastapi import BaseContext


@dataclass
class Context(BaseContext):
    pool: asyncpg.Pool

    def __post_init__(self) -> None:
        super().__init__()
