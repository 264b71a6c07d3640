"""Relay conventions: global ids, the Node interface, keyset connections."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry
from graphql import GraphQLError

T = TypeVar("T")
MAX_PAGE = 100
DEFAULT_PAGE = 20


class BadInput(GraphQLError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, extensions={"code": "VALIDATION", "field": field})


def global_id(type_name: str, local_id: object) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{local_id}".encode()).decode())


def parse_global_id(value: str) -> tuple[str, str]:
    try:
        type_name, local_id = base64.urlsafe_b64decode(value.encode()).decode().split(":", 1)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadInput(f"{value!r} is not a valid id", "id") from None
    return type_name, local_id


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
    except (binascii.Error, UnicodeDecodeError, ValueError):
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
class Page(Generic[T]):
    """Rows fetched with one extra to tell whether there is a next page."""

    nodes: list[T]
    keys: list[list[Any]]
    size: int
    total: int

    def connection(self) -> Connection[T]:
        shown = list(zip(self.nodes, self.keys, strict=True))[: self.size]
        edges = [Edge(cursor=encode_cursor(key), node=node) for node, key in shown]
        return Connection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=len(self.nodes) > self.size,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=self.total,
        )
