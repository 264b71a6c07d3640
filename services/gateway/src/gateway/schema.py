"""The root schema, composed from the features in one place, with its limits."""

import logging
from collections.abc import Callable

import asyncpg
import strawberry
from graphql import GraphQLError
from graphql.validation import NoSchemaIntrospectionCustomRule
from pavilion_core.logging import correlation_id, describe
from pavilion_core.outages import database_down
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from gateway.admission import Admission
from gateway.asof import AS_OF, PastExtension, answering
from gateway.compiled import Compiled, Compiler
from gateway.config import Limits
from gateway.context import Context
from gateway.exhibitors.dashboard import DashboardQueries
from gateway.exhibitors.floorplan import FloorPlanQueries
from gateway.exhibitors.mutations import ExhibitorMutations
from gateway.exhibitors.queries import ExhibitorQueries
from gateway.exhibitors.rebooking import RebookingQueries
from gateway.exhibitors.yearoveryear import YearOverYearQueries
from gateway.news import parse_token
from gateway.nodes import NOT_PROJECTED, load_node
from gateway.notifications.mutations import NotificationMutations
from gateway.notifications.types import NotificationQueries
from gateway.notifications.webhooks import WebhookQueries
from gateway.outreach.mutations import OutreachMutations
from gateway.outreach.personal_data import PersonalDataQueries
from gateway.outreach.queries import OutreachQueries
from gateway.policy import NotFound, authorize, decode, secure, waitable
from gateway.relay import BadInput, Connection, Node
from gateway.subscriptions import Subscription
from gateway.timeline import TimelineEntry, timeline_page

log = logging.getLogger(__name__)
Info = strawberry.Info[Context, None]


class NotYetConsistent(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "the read model has not caught up with the consistency token yet; retry",
            extensions={"code": "NOT_YET_CONSISTENT"},
        )


async def caught_up(info: Info, at_least: str | None) -> None:
    """Wait (bounded) until the read model shows what `at_least` stands for: every
    stream it names that the viewer may know about at all."""
    if at_least is None:
        return
    try:
        streams = parse_token(at_least)
    except ValueError as exc:
        raise BadInput(str(exc), "atLeast") from None
    waited = waitable(info.context.viewer, streams)
    services = info.context.services
    if not await services.news.wait_for(services.pool, waited, services.limits.wait_seconds):
        raise NotYetConsistent()


@strawberry.type
class Query(
    ExhibitorQueries,
    DashboardQueries,
    YearOverYearQueries,
    FloorPlanQueries,
    RebookingQueries,
    OutreachQueries,
    PersonalDataQueries,
    NotificationQueries,
    WebhookQueries,
):
    @strawberry.field(description="Any object by its global id.")
    async def node(
        self, info: Info, id: strawberry.ID, at_least: str | None = None, as_of: AS_OF = None
    ) -> Node | None:
        ref = decode(id)
        authorize(info.context.viewer, ref)
        if as_of is not None and ref.kind in NOT_PROJECTED:
            raise BadInput(
                f"a {ref.kind} is the notifications service's: it has no past here", "asOf"
            )
        await caught_up(info, at_least)
        return await load_node(await answering(info, as_of), ref)

    @strawberry.field(description="What happened to a record, oldest first.")
    async def timeline(
        self,
        info: Info,
        subject_id: strawberry.ID,
        first: int | None = None,
        after: str | None = None,
        at_least: str | None = None,
    ) -> Connection[TimelineEntry]:
        ctx, ref = info.context, decode(subject_id, field="subjectId")
        authorize(ctx.viewer, ref)  # the same rights as the record's, before anything else
        await caught_up(info, at_least)
        if await load_node(ctx, ref) is None:
            raise NotFound(f"there is no {ref.kind} {subject_id}", "subjectId")
        return await timeline_page(ctx.pool, ctx.viewer, ref.local, first, after)


@strawberry.type
class Mutation(ExhibitorMutations, OutreachMutations, NotificationMutations):
    pass


class MaskInternalErrors(MaskErrors):
    """Errors we did not mean to raise are logged and answered with a correlation id."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=_unexpected)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        cid = correlation_id.get()
        if isinstance(error.original_error, asyncpg.QueryCanceledError):
            log.warning("a statement of a query timed out", extra={"path": error.path})
            return GraphQLError(
                f"the query took longer than allowed; ask for less (correlation id {cid})",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "QUERY_TIMEOUT", "correlationId": cid},
            )
        if error.original_error is not None and database_down(error.original_error):
            log.warning(
                "the read model is unavailable", extra={"error": describe(error.original_error)}
            )
            return GraphQLError(
                f"the read model is unavailable; try again shortly (correlation id {cid})",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "UNAVAILABLE", "correlationId": cid},
            )
        log.error(
            "internal error in a resolver",
            exc_info=error.original_error,
            extra={"path": error.path},
        )
        return GraphQLError(
            f"internal error; correlation id {cid}",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "correlationId": cid},
        )


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Not strawberry's log line per error: it quotes the document, whose literals
        may be personal data. Refusals are the caller's business; internal errors are
        logged by MaskInternalErrors (traceback and path, no document, no variables)."""


def _unexpected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is not None and not isinstance(original, GraphQLError)


def make_schema(
    limits: Limits | None = None, *, introspection: bool = True, compiled: bool = True
) -> strawberry.Schema:
    """The schema; without `compiled`, the executor answers every operation (what the
    compiled pages are held to)."""
    limits = limits or Limits()
    # The limiters' rule classes are made once: the validation cache's key holds the
    # rules, and a limiter made per request would make a new class (and a miss) each time.
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
        # a client sends the same few documents again and again: parse and validate
        # each once (bounded LRUs; a fifth of a page request's time otherwise)
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        # after parsing and validation, before anything runs (no resolver, no SQL)
        lambda: Admission(limits),
        MaskInternalErrors,
        PastExtension,  # the fields under a root field asked `asOf` answer as of it
    ]
    if compiled:  # pages of exhibitors as one SQL statement that builds their JSON (after
        # the admission's refusals; what it does not understand, the executor answers)
        extensions.append(lambda: Compiled(compiler))
    built = Schema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions)
    secure(built._schema)  # the policy on every record-returning and personal field
    compiler = Compiler(built)
    return built


schema = make_schema()
