"""What a query will cost, computed from the document before anything runs, and a limit.

Every field costs 1; the fields under a connection count once per record of the page
it asks for (`first`, from the document or its variables; 20 if not given), the fields
under any other list of records count ten times. So nested connections multiply by
their page sizes, and a query that would touch too many records is refused with
QUERY_TOO_COSTLY before the first statement reaches the database.

A field asked as of a past moment (`asOf`) replays the history up to it (gateway.asof)
and holds a connection of the pool for the rest of the request: it costs PAST more,
and `yearOverYear` PAST per edition (MOMENTS if they are in a variable), so that a
query within the limit asks for a few moments at most.
"""

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
    value_from_ast_untyped,
)
from strawberry.types import ExecutionContext

from gateway.relay import DEFAULT_PAGE, MAX_PAGE

LIST_SIZE = 10  # what a plain list of records (a delegation's members, ...) is taken for
PAST = 4_000  # a replay of the history up to a moment (a fifth of the default limit)
MOMENTS = 4  # the most editions yearOverYear compares


class Walk:
    """The cost of one operation of a document."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def operation(self, operation: OperationDefinitionNode) -> int:
        defaults = {  # what a variable the request leaves out runs with
            d.variable.name.value: value_from_ast_untyped(d.default_value)
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        self.variables = {**defaults, **self.variables}
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root) if root else 0

    def selections(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> int:
        return sum(self.field(node, parent) for node, parent in self._fields(selection_set, parent))

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
                continue
            condition: NamedTypeNode | None = None
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition, fragment.selection_set
            elif isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            named = self.schema.get_type(condition.name.value) if condition else parent
            yield from self._fields(inner, named or parent)

    def field(self, node: FieldNode, parent: GraphQLNamedType) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0  # introspection: only served where it is switched on (dev)
        fields = getattr(parent, "fields", {}) if _composite(parent) else {}
        definition = fields.get(name)
        if definition is None or node.selection_set is None:
            return 1 + self._past(node)
        inner = self.selections(node.selection_set, get_named_type(definition.type))
        return 1 + self._past(node) + self._times(node, definition.type) * inner

    def _past(self, node: FieldNode) -> int:
        """What the moments a field asks for cost: one for `asOf` (unless it is null),
        one per edition of `yearOverYear`."""
        arguments = {a.name.value: a.value for a in node.arguments or ()}
        if node.name.value == "yearOverYear" and "editions" in arguments:
            editions = arguments["editions"]
            count = len(editions.values) if isinstance(editions, ListValueNode) else MOMENTS
            return PAST * count
        value = arguments.get("asOf")
        if value is None or isinstance(value, NullValueNode):
            return 0
        if isinstance(value, VariableNode) and value.name.value not in self.variables:
            return 0  # a variable left out: the field answers the present
        return PAST

    def _times(self, node: FieldNode, kind: GraphQLOutputType) -> int:
        named = get_named_type(kind)
        if named.name.endswith("Connection"):
            return max(1, self._page(node))  # an empty page still counts its records
        unwrapped = kind.of_type if isinstance(kind, GraphQLNonNull) else kind
        if isinstance(unwrapped, GraphQLList) and not named.name.endswith("Edge"):
            return LIST_SIZE
        return 1

    def _page(self, node: FieldNode) -> int:
        first: Any = DEFAULT_PAGE
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                first = int(value.value)
            elif isinstance(value, VariableNode):
                first = self.variables.get(value.name.value, DEFAULT_PAGE)
        if not isinstance(first, int) or isinstance(first, bool) or not 0 <= first <= MAX_PAGE:
            return MAX_PAGE  # refused later by the resolver; costed as the largest page
        return first


def _composite(named: GraphQLNamedType) -> bool:
    return isinstance(named, GraphQLObjectType | GraphQLInterfaceType)


def cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    return Walk(schema, fragments, variables or {}).operation(operation)


def operation_cost(context: ExecutionContext) -> int:
    """The cost of what `context` is about to run (every operation it may choose)."""
    document = context.graphql_document
    if document is None:
        return 0
    schema = context.schema._schema
    if context.query is None:
        return _document_cost(schema, document, context.operation_name, context.variables)
    return _query_cost(schema, context.query, context.operation_name, _pages(context.variables))


def _document_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name in (None, o.name and o.name.value)]
    return max((cost(schema, o, fragments, variables) for o in chosen), default=0)


@lru_cache(maxsize=1024)
def _query_cost(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    pages: tuple[tuple[str, int | None], ...],
) -> int:
    """A document's cost, once per the variables it can depend on (clients send the
    same few documents again and again; it has been parsed and validated before)."""
    return _document_cost(schema, parse(query), operation_name, dict(pages))


def _pages(variables: Mapping[str, Any] | None) -> tuple[tuple[str, int | None], ...]:
    """What of the variables a cost depends on: which are given, and the value of those
    that can be a page size (an int); any other value is costed as the largest page."""
    return tuple(
        sorted(
            (name, value if isinstance(value, int) and not isinstance(value, bool) else None)
            for name, value in (variables or {}).items()
        )
    )
