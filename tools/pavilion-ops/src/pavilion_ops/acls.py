"""The Kafka ACLs, as data: what each principal may do, and nothing else (the broker runs
with `allow.everyone.if.no.acl.found=false`; `admin`, the brokers' and the operator's
principal, is the only super user). `pavilion kafka acls` makes the broker's ACLs of
these principals equal to this; docker-compose.yml and deploy/k8s say the same (a test
compares them).

What the code needs, and why:
* a relay WRITEs its service's topic (an idempotent producer: WRITE on a topic implies
  IDEMPOTENT_WRITE since Kafka 3.0, KIP-679);
* a consumer READs its topics and its group; a consumer loop (pavilion_core.workers) and
  faust send poison to the consumed topic's `.dlq` twin (WRITE there);
* `ensure_topics`, run by every relay and consumer loop on start, lists the topics and
  their `.dlq` twins (DESCRIBE) and checks their retention (DESCRIBE_CONFIGS); the
  topics themselves are made by the operator (`pavilion topics create`), so no service
  may CREATE or ALTER_CONFIGS;
* the gateway's projector and its rebuilds use groups prefixed with its group's name
  (`<group>.rebuild.<n>`); its API reads the topics' offsets (DESCRIBE);
* faust also subscribes to its `<app id>-__assignor-__leader` topic (DESCRIBE, READ);
* `integrator` reads the three event topics (not their `.dlq` twins) with consumer
  groups of its own, named `integrator.…`.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest, DeleteAclsRequest, DescribeAclsRequest
from pavilion_core.config import KafkaSettings, env_str
from pavilion_core.kafka import admin_client, dlq_topic

from pavilion_ops import settings

ADMIN = "admin"
INTEGRATOR = "integrator"
INTEGRATOR_GROUPS = "integrator."


class Resource(IntEnum):  # Kafka's ResourceType
    ANY = 1
    TOPIC = 2
    GROUP = 3
    CLUSTER = 4
    TRANSACTIONAL_ID = 5
    DELEGATION_TOKEN = 6
    USER = 7


class Pattern(IntEnum):  # Kafka's PatternType
    ANY = 1
    LITERAL = 3
    PREFIXED = 4


class Operation(IntEnum):  # Kafka's AclOperation
    ANY = 1
    ALL = 2
    READ = 3
    WRITE = 4
    CREATE = 5
    DELETE = 6
    ALTER = 7
    DESCRIBE = 8
    CLUSTER_ACTION = 9
    DESCRIBE_CONFIGS = 10
    ALTER_CONFIGS = 11
    IDEMPOTENT_WRITE = 12
    CREATE_TOKENS = 13
    DESCRIBE_TOKENS = 14


_ALLOW = 3  # AclPermissionType
_ANY_PERMISSION = 1
_ANY_HOST = "*"


@dataclass(frozen=True, order=True)
class Acl:
    """`principal` may do `operation` on the `resource` named `name` (or, PREFIXED,
    on every one whose name starts with it), from any host."""

    principal: str
    resource: Resource
    name: str
    pattern: Pattern
    operation: Operation


def group(service: str) -> str:
    """A service's consumer group (the notifications worker's: its faust app id)."""
    variable, default = {
        "exhibitors": ("PAVILION_EXHIBITORS_REACTOR_GROUP", "pavilion.exhibitors.reactor"),
        "outreach": ("PAVILION_OUTREACH_REACTOR_GROUP", "pavilion.outreach.reactor"),
        "notifications": ("PAVILION_NOTIFICATIONS_APP_ID", "pavilion-notifications"),
        "gateway": ("PAVILION_GATEWAY_GROUP", "pavilion.gateway.projector"),
    }[service]
    return env_str(variable, default)


# What each service consumes (its reactor, the notifications worker, the projector; the
# outreach reactor follows its own topic too, for its follow-up schedule).
CONSUMES = {
    "exhibitors": ("outreach",),
    "outreach": ("exhibitors", "outreach"),
    "notifications": ("exhibitors", "outreach"),
    "gateway": settings.RELAYED,
}


def _grants(
    principal: str, resource: Resource, names: Iterable[str], *operations: Operation
) -> list[Acl]:
    return [
        Acl(principal, resource, name, Pattern.LITERAL, operation)
        for name in names
        for operation in operations
    ]


def _service(service: str) -> list[Acl]:
    read, write = Operation.READ, Operation.WRITE
    look = (Operation.DESCRIBE, Operation.DESCRIBE_CONFIGS)
    consumed = [settings.topic(s) for s in CONSUMES[service]]
    acls = _grants(service, Resource.TOPIC, consumed, read, *look)
    acls += _grants(service, Resource.TOPIC, map(dlq_topic, consumed), write, *look)
    if service in settings.RELAYED:
        own = settings.topic(service)
        acls += _grants(service, Resource.TOPIC, [own], write, *look)
        acls += _grants(service, Resource.TOPIC, [dlq_topic(own)], *look)
    if service == "notifications":
        leader = f"{group(service)}-__assignor-__leader"
        acls += _grants(service, Resource.TOPIC, [leader], read, Operation.DESCRIBE)
    pattern = Pattern.PREFIXED if service == "gateway" else Pattern.LITERAL
    return [*acls, Acl(service, Resource.GROUP, group(service), pattern, read)]


def definition() -> list[Acl]:
    """Every ACL of every principal but `admin` (a super user, which needs none)."""
    topics = [settings.topic(s) for s in settings.RELAYED]
    acls = [acl for service in settings.CONSUMING for acl in _service(service)]
    acls += _grants(INTEGRATOR, Resource.TOPIC, topics, Operation.READ, Operation.DESCRIBE)
    acls.append(
        Acl(INTEGRATOR, Resource.GROUP, INTEGRATOR_GROUPS, Pattern.PREFIXED, Operation.READ)
    )
    return sorted(set(acls))  # a consumer of its own topic is granted some twice


def table() -> str:
    """The definition as lines of principal, resource, name, pattern and operation,
    separated by tabs (deploy/compose/kafka-acls.tsv, which compose's kafka-init reads)."""
    return "".join(
        f"{a.principal}\t{a.resource.name.lower()}\t{a.name}\t{a.pattern.name.lower()}"
        f"\t{a.operation.name.lower()}\n"
        for a in definition()
    )


def principals() -> list[str]:
    return sorted({acl.principal for acl in definition()})


@dataclass(frozen=True)
class Applied:
    created: list[Acl]
    deleted: list[Acl]


async def apply(kafka: KafkaSettings) -> Applied:
    """Make the broker's ACLs of the principals equal to the definition (run as `admin`):
    create those missing, delete those of these principals it does not hold."""
    wanted = set(definition())
    async with admin_client(kafka) as admin:
        present = {a for p in principals() for a in await _described(admin, p)}
        missing, extra = sorted(wanted - present), sorted(present - wanted)
        for acl in missing:
            await _send(admin, CreateAclsRequest(*_fields(acl)), "creation_responses")
        for acl in extra:
            await _send(admin, DeleteAclsRequest(*_fields(acl)), "filter_responses")
    return Applied(missing, extra)


async def held(kafka: KafkaSettings) -> list[Acl]:
    """The broker's ACLs of the principals of the definition."""
    async with admin_client(kafka) as admin:
        return sorted([a for p in principals() for a in await _described(admin, p)])


def _fields(acl: Acl) -> tuple[int, str, int, str, str, int, int]:
    principal = f"User:{acl.principal}"
    return (acl.resource, acl.name, acl.pattern, principal, _ANY_HOST, acl.operation, _ALLOW)


async def _send(admin: AIOKafkaAdminClient, request: Any, results: str) -> Any:
    response = await admin._send_request(request)  # aiokafka has no ACL methods
    for result in getattr(response, results):
        code, message = result[0], result[1]
        if code:
            raise for_code(code)(message)
    return response


async def _described(admin: AIOKafkaAdminClient, principal: str) -> list[Acl]:
    request = DescribeAclsRequest(
        Resource.ANY, None, Pattern.ANY, f"User:{principal}", None, Operation.ANY, _ANY_PERMISSION
    )
    response = await admin._send_request(request)
    if response.error_code:
        raise for_code(response.error_code)(response.error_message)
    return [
        Acl(who.removeprefix("User:"), Resource(kind), name, Pattern(pattern), Operation(op))
        for kind, name, pattern, acls in response.resources
        for who, _, op, permission in acls
        if permission == _ALLOW
    ]
