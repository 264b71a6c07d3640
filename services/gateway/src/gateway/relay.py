"""Relay conventions: global ids, the Node interface, keyset connections."""

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import asyncpg
import strawberry
from graphql import GraphQLError

T = TypeVar("T")
R = TypeVar("R")
MAX_PAGE = 100
DEFAULT_PAGE = 20


class BadInput(GraphQLError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, extensions={"code": "VALIDATION", "field": field})


def global_id(type_name: str, local_id: object) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode())


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int


def encode_cursor(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, default=str).encode()).decode()


def decode_cursor(cursor: str) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput("the cursor is not valid", "after") from None
    if not isinstance(key, list):
        raise BadInput("the cursor is not valid", "after")
    return key


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE
    if not 0 <= first <= MAX_PAGE:
        raise BadInput(f"first must be between 0 and {MAX_PAGE}", "first")
    return first


@dataclass(frozen=True)
class Keyset:
    """The order of a connection: columns with their SQL types, all ascending or all
    descending, the last one unique. Cursors carry the order's name and the values of
    these columns, so a cursor of another order is refused."""

    columns: tuple[tuple[str, str], ...]
    descending: bool = False
    name: str = ""

    def after(self, cursor: str, first_param: int) -> tuple[str, list[str]]:
        order, *values = decode_cursor(cursor) or [None]
        if order != self.name or len(values) != len(self.columns):
            raise BadInput("the cursor is not valid (for this order)", "after")
        names = ", ".join(c for c, _ in self.columns)
        params = ", ".join(
            f"${first_param + i}::text::{t}" for i, (_, t) in enumerate(self.columns)
        )
        return f"({names}) {'<' if self.descending else '>'} ({params})", [str(v) for v in values]

    def order_by(self) -> str:
        return ", ".join(f"{c} {'DESC' if self.descending else 'ASC'}" for c, _ in self.columns)

    def key(self, row: asyncpg.Record) -> list[Any]:
        return [self.name, *(row[c.split(".")[-1]] for c, _ in self.columns)]


@dataclass(frozen=True)
class Query:
    """`SELECT <columns> FROM <source>` narrowed by `where` ($1… are `args`)."""

    columns: str
    source: str
    where: list[str] = field(default_factory=list)
    args: list[Any] = field(default_factory=list)

    def matching(self, column: str, text: str | None) -> "Query":
        """Rows whose `column` holds `text`, any case, LIKE wildcards taken literally."""
        if not text:
            return self
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return self.narrowed(f"{column} ILIKE {{0}}", f"%{escaped}%")

    def any_of(self, column: str, values: list[Any] | None) -> "Query":
        """Rows whose `column` is one of `values` (enums by their value); all if none."""
        if not values:
            return self
        return self.narrowed(f"{column} = ANY({{0}})", [getattr(v, "value", v) for v in values])

    def narrowed(self, condition: str, *values: Any) -> "Query":
        """Add a condition whose parameters are written as {0}, {1}… in `condition`."""
        numbers = [f"${len(self.args) + i + 1}" for i in range(len(values))]
        return Query(
            self.columns,
            self.source,
            [*self.where, condition.format(*numbers)],
            [*self.args, *values],
        )


def page_statement(
    query: Query, keyset: Keyset, first: int | None, after: str | None, columns: str
) -> tuple[str, list[Any], int]:
    """The statement of a page of `query` (`columns` of its first `first` rows after the
    cursor `after`, and one more), its arguments and the page's size."""
    size = page_size(first)
    where, args = list(query.where), list(query.args)
    if after is not None:
        condition, values = keyset.after(after, len(args) + 1)
        where, args = [*where, condition], [*args, *values]
    statement = f"""SELECT {columns} FROM {query.source} WHERE {" AND ".join(where) or "true"}
                    ORDER BY {keyset.order_by()} LIMIT {size + 1}"""
    return statement, args, size


def count_statement(query: Query) -> str:
    """How many rows `query` has (its arguments are the query's own)."""
    return f"SELECT count(*) FROM {query.source} WHERE {' AND '.join(query.where) or 'true'}"


async def fetch_page(
    pool: asyncpg.Pool,
    query: Query,
    keyset: Keyset,
    node: Callable[[asyncpg.Record], T],
    first: int | None,
    after: str | None,
) -> Connection[T]:
    statement, args, size = page_statement(query, keyset, first, after, query.columns)
    async with pool.acquire() as conn:
        try:
            rows = await conn.fetch(statement, *args)
        except asyncpg.DataError:  # a value PostgreSQL cannot take (out of range, ...)
            if after is None:
                raise BadInput("a filter value is out of range", "filter") from None
            raise BadInput("the cursor (or a filter value) is not valid", "after") from None
        total = await conn.fetchval(count_statement(query), *query.args)
    return page_of(rows, size, total, lambda r: encode_cursor(keyset.key(r)), node)


def page_of(
    found: Sequence[R],
    size: int,
    total: int,
    cursor: Callable[[R], str],
    node: Callable[[R], T],
) -> Connection[T]:
    """A connection of the first `size` of `found` (one more tells a next page exists)."""
    edges = [Edge(cursor=cursor(item), node=node(item)) for item in found[:size]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(found) > size, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=total,
    )
