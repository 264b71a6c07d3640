"""The root schema, composed from the features in one place."""

import strawberry

from gateway.context import Context
from gateway.exhibitors.queries import ExhibitorQueries, exhibitor_by_id
from gateway.relay import Node, parse_global_id

NODE_RESOLVERS = {"Exhibitor": exhibitor_by_id}


@strawberry.type
class Query(ExhibitorQueries):
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: strawberry.Info[Context, None], id: strawberry.ID) -> Node | None:
        type_name, local_id = parse_global_id(id)
        resolve = NODE_RESOLVERS.get(type_name)
        return await resolve(info.context, local_id) if resolve else None


schema = strawberry.Schema(query=Query)
