"""The text policy (pavilion_core.text) on every string of a GraphQL operation, its
variables and its literals, checked before anything runs, with at most `max_text`
characters each. A string that fails is refused as VALIDATION, naming where it was."""

from collections.abc import Iterator
from typing import Any

from graphql import ExecutionResult, GraphQLError, StringValueNode, visit
from graphql.language import Visitor
from pavilion_core.text import strings, text_problem
from strawberry.extensions import SchemaExtension


class InvalidText(GraphQLError):
    def __init__(self, message: str, where: str) -> None:
        super().__init__(message, extensions={"code": "VALIDATION", "field": where})


class _Literals(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def enter_string_value(self, node: StringValueNode, *_: Any) -> None:
        self.found.append(node.value)


class TextPolicy(SchemaExtension):
    """Refuses an operation whose variables or literals hold unacceptable text."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and not context.result:
            literals = _Literals()
            visit(context.graphql_document, literals)
            found = [
                *strings(context.variables or {}, "variables"),
                *(("query", s) for s in literals.found),
            ]
            for where, value in found:
                if problem := text_problem(value, self.max_length):
                    error = InvalidText(f"a string in {where} {problem}", where)
                    context.result = ExecutionResult(data=None, errors=[error])
                    break
        yield
