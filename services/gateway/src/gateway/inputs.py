"""The text policy (pavilion_core.text) on every string of a GraphQL operation, its
variables and its literals, checked before anything runs, with at most `max_text`
characters each. A string that fails is refused as VALIDATION, naming where it was."""

from functools import lru_cache
from typing import Any

from graphql import DocumentNode, GraphQLError, StringValueNode, parse, visit
from graphql.language import Visitor
from pavilion_core.text import strings, text_problem
from strawberry.types import ExecutionContext


class InvalidText(GraphQLError):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(message, extensions={"code": "VALIDATION", "field": where})


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.found.append(node.value)


def _literals(document: DocumentNode) -> tuple[str, ...]:
    literals = _Literals()
    visit(document, literals)
    return tuple(literals.found)


@lru_cache(maxsize=256)
def _literals_of(query: str) -> tuple[str, ...]:
    """The literals of a document (clients send the same few again and again; it has
    been parsed and validated before, the parser's cache would answer the same)."""
    return _literals(parse(query))


def text_refusal(context: ExecutionContext, max_length: int) -> InvalidText | None:
    """Why a string in the operation's variables or literals is not acceptable."""
    if context.graphql_document is None:
        return None
    literals = (
        _literals(context.graphql_document)
        if context.query is None
        else _literals_of(context.query)
    )
    found = [*strings(context.variables or {}, "variables"), *(("query", s) for s in literals)]
    for where, value in found:
        if problem := text_problem(value, max_length):
            return InvalidText(f"a string in {where} {problem}", where)
    return None
