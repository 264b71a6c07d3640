"""What every GraphQL operation must pass before anything of it runs — no resolver, no
SQL — whether it comes over HTTP or a WebSocket, query, mutation or subscription:

* the token it runs under is still valid (a WebSocket authenticates once, at
  connection_init; each operation on it is checked again);
* every string of its document and variables meets the text policy (inputs.py);
* its cost, computed from the document, is within the limit (cost.py).

A refusal is raised from the extension's `on_execute`, which strawberry answers as the
operation's only error for every kind of operation.
"""

import time
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.config import Limits
from gateway.cost import operation_cost
from gateway.inputs import text_refusal


class TooCostly(GraphQLError):
    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(
            f"the query would cost {cost}, over the limit of {limit}: ask for fewer records "
            "(smaller pages, less nesting of connections)",
            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
        )


class Expired(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "the token has expired: connect again with a new one",
            extensions={"code": "UNAUTHENTICATED"},
        )


class Admission(SchemaExtension):
    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        viewer = getattr(context.context, "viewer", None)
        if viewer is not None and viewer.expired(time.time()):
            raise Expired()
        if refusal := text_refusal(context, self.limits.max_text):
            raise refusal
        spent = operation_cost(context)
        if spent > self.limits.max_cost:
            raise TooCostly(spent, self.limits.max_cost)
        yield
