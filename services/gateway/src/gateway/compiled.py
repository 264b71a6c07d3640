"""Pages of exhibitors compiled to one SQL statement that builds their JSON in PostgreSQL.

A query operation whose root fields are `exhibitors` (any alias, any number of times)
and `__typename` is compiled once per (document, operation, role): each node's selection
becomes a `json_build_object(...)` over the page's rows, nested objects and lists
subqueries of it. Its arguments are coerced from the request's variables as the executor
coerces them, its page is the resolver's own (`page_query`, `page_statement`), its
cursors are the executor's (`encode_cursor`); the policy comes from the same
definitions as the executor's: a field declared `@personal` is NULL for a role that
does not see personal data, a record-returning field is NULL for a role that may not see
that kind of record (`may_see`), and every listed exhibitor is screened by `may_see`.

Anything else falls back to the executor, which answers as if nothing had been tried:
a field, argument or type the compiler has no source for, `@skip`/`@include` on a
variable, and any error at run time (a bad cursor, a value PostgreSQL refuses,
an unavailable database: the executor raises its own error for it). Validation, the
limiters and Admission (cost) run before, and the statement runs on the same pool, with
the same statement timeout.
"""

import json
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, cast

import asyncpg
import strawberry
from graphql import (
    BooleanValueNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    parse,
)
from graphql.execution.values import get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types.arguments import convert_argument

from gateway.auth import Role, Viewer
from gateway.context import Context
from gateway.exhibitors.queries import ORDERS, ExhibitorFilter, ExhibitorOrder, page_query
from gateway.policy import is_personal, may_see, returns_records
from gateway.relay import Keyset, count_statement, encode_cursor, page_statement

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Object:
    """An object read from the row of its parent: `fields` maps each GraphQL field to
    the SQL of its value (or to another Object, or a Many); `around` is the SQL around
    the object's json_build_object(...), written as {} (a condition, a subquery)."""

    fields: Mapping[str, "Source"]
    around: str = "{}"


@dataclass(frozen=True)
class Many:
    """A list of objects, one per row of `rows` (a FROM clause), ordered by `order`."""

    rows: str
    order: str
    fields: Mapping[str, "Source"]


Source = str | Object | Many


def _global_id(kind: str, column: str) -> str:
    """relay.global_id in SQL: base64url of "<kind>:<uuid>" (without the newlines
    PostgreSQL's base64 puts every 76 characters)."""
    return f"translate(encode(convert_to('{kind}:' || {column}, 'UTF8'), 'base64'), E'+/\\n', '-_')"


def _money(minor_units: str, currency: str) -> Object:
    """Money.of: the minor units as a decimal of two places, if both are known."""
    return Object(
        {"amount": f"round({minor_units}::numeric / 100, 2)::text", "currency": currency},
        f"CASE WHEN {minor_units} IS NOT NULL AND {currency} IS NOT NULL THEN {{}} END",
    )


INTEREST = Object(
    {
        "id": _global_id("Interest", "i.id"),
        "kind": "i.kind",
        "edition": "i.edition",
        "supplyChainAreas": "i.supply_chain_areas",
        "productCategories": "i.product_categories",
        "stage": "i.stage",
        "owner": "i.owner",
        "capturedAt": "i.captured_at",
        "convertedAt": "i.converted_at",
        "conversionRefusal": Object(
            {"code": "i.refusal_code", "reason": "i.refusal_reason"},
            "CASE WHEN i.refusal_code IS NOT NULL THEN {} END",
        ),
        "version": "i.version",
    },
    "(SELECT {} FROM interests i WHERE i.id = e.source_interest_id)",
)
# Exhibitor.from_row, read from the row `e` of the exhibitors table.
EXHIBITOR: Mapping[str, Source] = {
    "id": _global_id("Exhibitor", "e.id"),
    "edition": "e.edition",
    "companyName": "e.company_name",
    "country": "e.country",
    "address": Object(
        {
            name: f"e.address->'{name}'"
            for name in ("streetLines", "city", "postalCode", "region", "country")
        }
    ),
    "status": "e.status",
    "supplyChainAreas": "e.supply_chain_areas",
    "productCategories": "e.product_categories",
    "contacts": Many(
        "jsonb_array_elements(e.contacts) WITH ORDINALITY AS c(v, n)",
        "c.n",
        {name: f"c.v->'{name}'" for name in ("name", "email", "phone", "language")},
    ),
    "booth": Object(
        {"code": "e.booth_code", "hall": "e.booth_hall", "sizeSqm": "e.booth_size_sqm"},
        "CASE WHEN e.booth_code <> '' THEN {} END",
    ),
    "contractAmount": _money("e.contract_amount", "e.currency"),
    "paidAmount": _money("e.paid_amount", "e.currency"),
    "submittedAt": "e.submitted_at",
    "updatedAt": "e.updated_at",
    "version": "e.version",
    "sourceInterest": INTEREST,
}
# datetime.isoformat() of a UTC timestamp: microseconds only when there are some.
ISO = (
    """(to_char({0} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') """
    """|| CASE to_char({0}, 'US') WHEN '000000' THEN '' ELSE '.' || to_char({0}, 'US') END """
    """|| '+00:00')"""
)
PASSED = frozenset({"String", "Int", "Boolean", "ID", "Decimal"})  # their SQL is their JSON
MAX_KEYS = 50  # json_build_object takes at most 100 arguments


class Unsupported(Exception):
    """The compiler does not know this; the executor answers."""


@dataclass(frozen=True)
class Shape:
    """What a page's response holds, by response key: ("totalCount" | "edges" |
    "pageInfo" | "cursor" | "node" | "hasNextPage" | "endCursor" | "__typename", and
    the nested shape, the node's column or the type's name)."""

    entries: tuple[tuple[str, str, Any], ...]


@dataclass
class Page:
    """One `exhibitors` field of the operation, compiled."""

    definition: GraphQLField
    node: FieldNode
    filter: Callable[[Any], ExhibitorFilter | None]  # the argument as the resolver has it
    shape: Shape
    nodes: list[str] = field(default_factory=list)  # SQL of each selection of `node`
    counts: bool = False

    async def run(self, ctx: Context, variables: Any) -> dict[str, Any]:
        args = get_argument_values(self.definition, self.node, variables)
        filter = self.filter(args.get("filter"))
        keyset = ORDERS[ExhibitorOrder(args["orderBy"]).value]
        if "id" not in (names := [c for c, _ in keyset.columns]):
            raise Unsupported("an order without id")
        query = page_query(ctx.viewer, args["edition"], filter)
        columns = [*names, *(f"{sql} AS node{i}" for i, sql in enumerate(self.nodes))]
        if self.counts:
            columns.append(f"({count_statement(query)}) AS total")
        statement, params, size = page_statement(
            replace(query, source=f"{query.source} e"),
            keyset,
            args.get("first"),
            args.get("after"),
            ", ".join(columns),
        )
        rows = await ctx.pool.fetch(statement, *params)
        page = rows[:size]
        viewer = ctx.viewer
        if viewer.role is not Role.ADMIN and not all(
            may_see(viewer, "Exhibitor", str(row["id"])) for row in page
        ):
            raise Unsupported("a record the viewer may not see")  # the executor refuses
        total = None
        if self.counts:
            total = (
                rows[0]["total"]
                if rows
                else await ctx.pool.fetchval(count_statement(query), *query.args)
            )
        return _fill(self.shape, _Found(page, keyset, total, len(rows) > size))


@dataclass
class _Found:
    """A page's rows, read as its response asks: cursors only if it asks for them, each
    node column parsed at once."""

    page: Sequence[asyncpg.Record]
    keyset: Keyset
    total: int | None
    more: bool
    parsed: dict[str, list[Any]] = field(default_factory=dict)

    def cursor(self, index: int) -> str:
        return encode_cursor(self.keyset.key(self.page[index]))

    def nodes(self, column: str) -> list[Any]:
        if column not in self.parsed:
            self.parsed[column] = json.loads(f"[{','.join(row[column] for row in self.page)}]")
        return self.parsed[column]


def _fill(shape: Shape, found: _Found) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, kind, detail in shape.entries:
        if kind == "__typename":
            out[key] = detail
        elif kind == "totalCount":
            out[key] = found.total
        elif kind == "hasNextPage":
            out[key] = found.more
        elif kind == "endCursor":
            out[key] = found.cursor(len(found.page) - 1) if found.page else None
        elif kind == "pageInfo":
            out[key] = _fill(detail, found)
        else:  # edges
            out[key] = [_edge(detail, found, i) for i in range(len(found.page))]
    return out


def _edge(shape: Shape, found: _Found, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, kind, detail in shape.entries:
        if kind == "__typename":
            out[key] = detail
        elif kind == "cursor":
            out[key] = found.cursor(index)
        else:  # node
            out[key] = found.nodes(detail)[index]
    return out


@dataclass(frozen=True)
class Plan:
    """An operation, compiled: its root entries in order (a Page or the root's name)."""

    schema: GraphQLSchema
    variables: Any  # the operation's variable definitions
    roots: tuple[tuple[str, Page | str], ...]

    async def run(self, ctx: Context, raw: Mapping[str, Any]) -> dict[str, Any]:
        variables = get_variable_values(self.schema, self.variables, dict(raw))
        if isinstance(variables, list):
            raise Unsupported("variables the executor refuses")
        return {
            key: root if isinstance(root, str) else await root.run(ctx, variables)
            for key, root in self.roots
        }


class Compiler:
    """Plans of operations, made once per (document, operation, role)."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.schema = schema._schema
        registry, config = schema.schema_converter.scalar_registry, schema.config

        def read(value: Any) -> ExhibitorFilter | None:
            if value is None:
                return None
            return cast(ExhibitorFilter, convert_argument(value, ExhibitorFilter, registry, config))

        self.filter = read
        self.plan = lru_cache(maxsize=256)(self._plan)

    def _plan(self, document: str, operation_name: str | None, role: Role) -> Plan | None:
        try:
            parsed = parse(document)
            operation = get_operation_ast(parsed, operation_name)
            if operation is None or operation.operation is not OperationType.QUERY:
                return None
            fragments = {
                d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
            }
            walk = _Walk(self.schema, fragments, role, self.filter)
            root = self.schema.query_type
            assert root is not None
            roots: list[tuple[str, Page | str]] = []
            for key, nodes in walk.collect(root, [operation.selection_set]).items():
                name = nodes[0].name.value
                if name == "__typename":
                    roots.append((key, root.name))
                elif name == "exhibitors":
                    roots.append((key, walk.page(root.fields[name], nodes)))
                else:
                    return None
            return Plan(self.schema, operation.variable_definitions or (), tuple(roots))
        except Unsupported:
            return None


@dataclass(frozen=True)
class _Walk:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    role: Role
    filter: Callable[[Any], ExhibitorFilter | None]

    def collect(
        self, parent: GraphQLObjectType, sets: Iterable[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """The fields selected on `parent`, by response key, as the executor collects
        them (fragments that apply to it spread, @skip/@include on literals applied)."""
        names = {parent.name, *(i.name for i in parent.interfaces)}
        found: dict[str, list[FieldNode]] = {}

        def walk(selections: Iterable[SelectionNode]) -> None:
            for selection in selections:
                if not self._included(selection):
                    continue
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    found.setdefault(key, []).append(selection)
                    continue
                fragment: FragmentDefinitionNode | InlineFragmentNode
                if isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments[selection.name.value]
                else:
                    assert isinstance(selection, InlineFragmentNode)
                    fragment = selection
                condition = fragment.type_condition
                if condition is None or condition.name.value in names:
                    walk(fragment.selection_set.selections)

        for selection_set in sets:
            walk(selection_set.selections)
        if len(found) > MAX_KEYS:
            raise Unsupported("too many keys for one object")
        return found

    @staticmethod
    def _included(selection: SelectionNode) -> bool:
        included = True
        for directive in selection.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                raise Unsupported(f"@{name}")
            (argument,) = directive.arguments or ()
            if not isinstance(argument.value, BooleanValueNode):
                raise Unsupported(f"@{name} on a variable")
            included = included and argument.value.value == (name == "include")
        return included

    def page(self, definition: GraphQLField, nodes: list[FieldNode]) -> Page:
        connection = get_named_type(definition.type)
        assert isinstance(connection, GraphQLObjectType)
        page = Page(definition, nodes[0], self.filter, Shape(()))
        page.shape = self._shape(connection, _sets(nodes), page)
        return page

    def _shape(self, parent: GraphQLObjectType, sets: list[SelectionSetNode], page: Page) -> Shape:
        entries: list[tuple[str, str, Any]] = []
        for key, nodes in self.collect(parent, sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                entries.append((key, name, parent.name))
                continue
            definition = parent.fields[name]
            named = get_named_type(definition.type)
            if name in ("edges", "pageInfo"):
                assert isinstance(named, GraphQLObjectType)
                entries.append((key, name, self._shape(named, _sets(nodes), page)))
            elif name == "node":
                assert isinstance(named, GraphQLObjectType)
                page.nodes.append(self.object(named, EXHIBITOR, _sets(nodes)))
                entries.append((key, name, f"node{len(page.nodes) - 1}"))
            elif name in ("totalCount", "cursor", "hasNextPage", "endCursor"):
                page.counts = page.counts or name == "totalCount"
                entries.append((key, name, None))
            else:
                raise Unsupported(f"{parent.name}.{name}")
        return Shape(tuple(entries))

    def object(
        self, parent: GraphQLObjectType, sources: Mapping[str, Source], sets: list[SelectionSetNode]
    ) -> str:
        """The SQL of json_build_object(...) of the fields selected on `parent`."""
        pairs = []
        for key, nodes in self.collect(parent, sets).items():
            name = nodes[0].name.value
            if name == "__typename":
                pairs.append(f"'{key}', '{parent.name}'")
                continue
            source, definition = sources.get(name), parent.fields.get(name)
            if source is None or definition is None or any(n.arguments for n in nodes):
                raise Unsupported(f"{parent.name}.{name}")
            pairs.append(f"'{key}', {self.value(definition, source, _sets(nodes))}")
        return f"json_build_object({', '.join(pairs)})"

    def value(self, definition: GraphQLField, source: Source, sets: list[SelectionSetNode]) -> str:
        named = get_named_type(definition.type)
        if is_personal(definition) and not Viewer("", self.role).sees_personal_data:
            return "NULL"
        if returns_records(definition):
            if isinstance(source, Many) or not _sees_every(self.role, named.name):
                raise Unsupported(f"a list of {named.name} or one it may see only some of")
            if not may_see(Viewer("", self.role), named.name, ""):
                return "NULL"
        if isinstance(source, Object) and isinstance(named, GraphQLObjectType):
            return source.around.format(self.object(named, source.fields, sets))
        if isinstance(source, Many) and isinstance(named, GraphQLObjectType):
            inner = self.object(named, source.fields, sets)
            return (
                f"(SELECT coalesce(json_agg({inner} ORDER BY {source.order}), '[]') "
                f"FROM {source.rows})"
            )
        if not isinstance(source, str):
            raise Unsupported(f"{named.name} from {source}")
        if isinstance(named, GraphQLEnumType):
            if any(name != value.value for name, value in named.values.items()):
                raise Unsupported(f"{named.name} spelled otherwise than stored")
            return source
        if named.name == "DateTime":
            return ISO.format(source)
        if named.name in PASSED:
            return source
        raise Unsupported(named.name)


def _sets(nodes: list[FieldNode]) -> list[SelectionSetNode]:
    return [n.selection_set for n in nodes if n.selection_set is not None]


def _sees_every(role: Role, kind: str) -> bool:
    """Whether may_see decides for `role` and records of `kind` without looking at which
    record it is (so it can be decided once, when compiling): the same answer for a
    viewer holding the record's id among its applications as for one that does not."""
    holding = Viewer("", role, frozenset({"x"}))
    return may_see(holding, kind, "x") == may_see(Viewer("", role), kind, "x")


# errors of a compiled page that the executor meets again and answers as it answers them
LEFT_TO_THE_EXECUTOR = (
    Unsupported,
    GraphQLError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)


class Compiled(SchemaExtension):
    """Answers the operations the compiler understands before the executor runs
    (listed after Admission, whose refusals come first)."""

    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler

    async def on_execute(self) -> AsyncIterator[None]:
        ec = self.execution_context
        ctx = ec.context
        if isinstance(ctx, Context) and ec.query is not None:
            plan = self.compiler.plan(ec.query, ec.operation_name, ctx.viewer.role)
            if plan is not None:
                try:
                    ec.result = ExecutionResult(await plan.run(ctx, ec.variables or {}))
                except LEFT_TO_THE_EXECUTOR:
                    pass  # the executor answers, with its own error if there is one
                except Exception:  # a bug here: the executor answers (and masks its own)
                    log.warning("a compiled page failed; the executor answers", exc_info=True)
        yield
