"""DataLoaders, made per request (and per subscription event): every relation of a
page is fetched with one statement, whatever the size of the page."""

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
from strawberry.dataloader import DataLoader


class Loaders:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self._made: dict[tuple[str, str, bool], DataLoader[Any, Any]] = {}

    def one(self, select: str, column: str = "id") -> DataLoader[Any, asyncpg.Record | None]:
        """Rows of `select` by a unique `column` (None where there is none)."""
        return self._loader(select, column, many=False)

    def many(self, select: str, column: str) -> DataLoader[Any, list[asyncpg.Record]]:
        """Lists of rows of `select` sharing a `column` value (ordered as `select` says)."""
        return self._loader(select, column, many=True)

    def _loader(self, select: str, column: str, *, many: bool) -> DataLoader[Any, Any]:
        key = (select, column, many)
        if key not in self._made:

            async def load(keys: Sequence[Any]) -> list[Any]:
                rows = await self.pool.fetch(select.format(where=f"{column} = ANY($1)"), keys)
                if many:
                    grouped: dict[Any, list[asyncpg.Record]] = defaultdict(list)
                    for row in rows:
                        grouped[row[column]].append(row)
                    return [grouped.get(k, []) for k in keys]
                found = {row[column]: row for row in rows}
                return [found.get(k) for k in keys]

            self._made[key] = DataLoader(load_fn=load)
        return self._made[key]
