"""The text policy (pavilion_core.text) on every string of a GraphQL operation, its
variables and its literals, checked before anything runs, with at most `max_text`
characters each. A string that fails is refused as VALIDATION, naming where it was."""

from typing import Any

from graphql import GraphQLError, StringValueNode, visit
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


def text_refusal(context: ExecutionContext, max_length: int) -> InvalidText | None:
    """Why a string in the operation's variables or literals is not acceptable."""
    if context.graphql_document is None:
        return None
    literals = _Literals()
    visit(context.graphql_document, literals)
    found = [
        *strings(context.variables or {}, "variables"),
        *(("query", s) for s in literals.found),
    ]
    for where, value in found:
        if problem := text_problem(value, max_length):
            return InvalidText(f"a string in {where} {problem}", where)
    return None
