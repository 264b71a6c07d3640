"""What the GraphQL fuzzer sends: schemathesis' cases for every root field of the exported
SDL, with strategies for the custom scalars, made sharper the way a caller who knows the
API's conventions would: real and forged global ids (of the kind an input names, or
not), cursors and consistency tokens of the wrong shape, URLs a parser may choke on, and
mostly-valid mutation inputs (a seeded record's input with one or two fields fuzzed), so
that requests get past the first check and reach what lies behind it."""

import base64
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone
from pathlib import Path
from typing import Any

import graphql
import schemathesis
from gateway.mutations import ID_KINDS
from hypothesis import strategies as st
from pydantic.alias_generators import to_camel
from schemathesis.graphql import nodes

EDITION = "CISCE-2026"
SDL = Path(__file__).parents[2] / "schemas" / "graphql" / "schema.graphql"
KINDS = [
    *("Exhibitor", "Organization", "Contact", "Delegation", "Trip", "OutreachEvent"),
    *("Interest", "FollowUp", "Notification", "WebhookEndpoint", "WebhookDelivery"),
    *("TimelineEntry", "FloorPlan", "Nope"),
]


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode(errors="surrogatepass")).decode()


# The custom scalars, valid and not: what a caller may send, not what we would. The edge
# cases get branches of their own (two where they matter most).
_NON_FINITE = ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e999999999"]
_NUMBER_EDGES = [
    *("-0", "0.001", "0.005", "-80000.00", "1E+2", "123456789012345678901234567890.123456789"),
    *("", " ", "1,000.00", "0x10", "1_000", "\u0661\u0662\u0663", "12.", ".5", "--1"),
]
schemathesis.graphql.scalar(
    "Decimal",
    st.one_of(
        st.one_of(
            st.sampled_from(_NON_FINITE),
            st.sampled_from(_NUMBER_EDGES),
            st.decimals(places=2, min_value=-(10**9), max_value=10**9).map(str),
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.text(max_size=12),
        ).map(nodes.String),
        st.integers().map(nodes.Int)
        | st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
    ),
)
_DATE_EDGES = st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "10000-01-01"])
schemathesis.graphql.scalar(
    "Date",
    st.one_of(st.dates().map(str), _DATE_EDGES, _DATE_EDGES, st.text(max_size=12)).map(
        nodes.String
    ),
)
_OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12))])
_MOMENT_EDGES = st.sampled_from(
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-06-22"]
)
schemathesis.graphql.scalar(
    "DateTime",
    st.one_of(
        st.datetimes(timezones=_OFFSETS).map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),  # naive
        _MOMENT_EDGES,
        _MOMENT_EDGES,
        st.text(max_size=12),
    ).map(nodes.String),
)
# JSON is an output only (TimelineEntry.data): schemathesis needs no strategy for it.
SCHEMA = schemathesis.graphql.from_path(SDL)


@dataclass
class Known:
    """What the seeded stack holds: global ids by kind, the inputs that made them,
    real cursors and consistency tokens."""

    ids: dict[str, list[str]] = field(default_factory=dict)
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    cursors: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    own_application: str = ""  # the local id, as an EXHIBITOR token's claim names it

    def first(self, kind: str) -> str:
        return self.ids[kind][0]


# Replacements are picked with a plain Random, each branch as often as another: drawn
# from Hypothesis after a large GraphQL case, they would nearly always be the first.
Pick = Callable[[random.Random], Any]


def _one_of(*picks: Pick) -> Pick:
    return lambda r: r.choice(picks)(r)


def _sample(values: list[Any]) -> Pick:
    return lambda r: r.choice(values)


def _just(value: Any) -> Pick:
    return lambda _: value


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


KEEP = _just(None)  # what schemathesis generated stays
_NULL = _just(graphql.NullValueNode())
_ODD_TEXT = ["\x00", "\ud800", "2026-13-40", "not-a-uuid", "NaN", "floorplan:X:Y", ""]
_ODD_NUMBERS = [float("inf"), float("-inf"), float("nan"), 1e300, 2**63, -(2**70), True, 0]
_JSON = _one_of(_sample(_ODD_TEXT), _sample(_ODD_NUMBERS), _sample([None, [], [1, "a"], {}]))
_HOSTS = ["xn--", "xn--zz", "a" * 64, "\u00fc.x", "[::1", "%00", "127.1", "a..b", ""]
_PORTS = ["", ":0", ":99999", ":-1", ":x", ":443"]


def _text(r: random.Random) -> str:
    """Any code points, surrogates too (JSON and base64 carry them)."""
    return "".join(chr(r.randrange(0x110000)) for _ in range(r.randrange(12)))


def _url(r: random.Random) -> str:
    host = r.choice([*_HOSTS, _text(r)])
    return f"{r.choice(['http', 'https', 'ftp'])}://{host}{r.choice(_PORTS)}/{_text(r)}"


def _uuid(r: random.Random) -> str:
    return str(uuid.UUID(int=r.getrandbits(128)))


def _forged_cursor(cursors: list[str]) -> Pick:
    """A real cursor's order with other values, as many as it had or not."""

    def pick(r: random.Random) -> str:
        order, *values = json.loads(base64.urlsafe_b64decode(r.choice(cursors)))
        forged = [_JSON(r) for _ in range(r.choice([len(values), r.randrange(4)]))]
        return b64(json.dumps([order, *forged]))

    return pick


def _real(known: Known, kinds: tuple[str, ...]) -> Pick:
    """An id of a record of one of `kinds` (any kind: none named, or none seeded)."""
    every = [i for ids in known.ids.values() for i in ids]
    return _sample([i for kind in kinds for i in known.ids.get(kind, [])] or every)


def _ids(known: Known, kinds: tuple[str, ...]) -> Pick:
    real, any_kind = _real(known, kinds), _real(known, ())
    forged: Pick = lambda r: b64(f"{r.choice(KINDS)}:{r.choice([_uuid(r), *_ODD_TEXT])}")  # noqa: E731
    return _one_of(KEEP, real, real, any_kind, forged)


def _by_name(known: Known) -> dict[str, Pick]:
    """For an argument or input field, by name: a value to put in its place, or None to
    keep what schemathesis generated."""
    subject = _one_of(_ids(known, ()), _sample(_ODD_TEXT), _uuid)
    version = _one_of(lambda r: r.randrange(-(2**40), 2**40), _sample(_ODD_NUMBERS), _JSON)
    token: Pick = lambda r: b64(json.dumps([[subject(r), version(r)]]))  # noqa: E731
    page: Pick = lambda r: nodes.Int(r.randrange(101))  # noqa: E731
    ids = {to_camel(name): _ids(known, kinds) for name, kinds in {**ID_KINDS, "id": ()}.items()}
    return {
        **ids,
        # null half the time, and pages of a size the gateway takes most of the time:
        # else too few requests would get past them to the rest of the resolver
        "after": _one_of(
            _NULL,
            _NULL,
            _NULL,
            _NULL,
            _sample(known.cursors),
            _forged_cursor(known.cursors),
            lambda r: b64(_text(r)),
        ),
        "first": _one_of(page, page, page, KEEP, _just(nodes.Int(101))),
        "atLeast": _one_of(_NULL, _NULL, _NULL, _sample(known.tokens), token),
        "url": _one_of(KEEP, _url),
        "edition": _one_of(KEEP, _EDITION),
        "code": _one_of(KEEP, _EDITION),  # edition(code:)
        "editions": _one_of(KEEP, _EDITIONS),
        "daysBeforeOpening": _one_of(KEEP, page),
        # the present half the time: most moments generated are refused (ahead, naive)
        "asOf": _one_of(_NULL, _NULL, _NULL, KEEP),
    }


_EDITION = _just(EDITION)
_EDITIONS = _just(graphql.ListValueNode(values=(_string(EDITION),)))


def _answerable(known: Known) -> dict[str, Pick]:
    """The same names, as a caller who gets everything right fills them: real ids of the
    kinds named, no cursor, token or past moment, a page size taken, the seeded edition."""
    ids = {to_camel(name): _real(known, kinds) for name, kinds in ID_KINDS.items()}
    none, ten = _NULL, _just(nodes.Int(10))
    return {
        **ids,
        "id": _real(known, ()),
        **{"after": none, "atLeast": none, "asOf": none, "first": ten, "daysBeforeOpening": ten},
        **{"url": KEEP, "edition": _EDITION, "code": _EDITION, "editions": _EDITIONS},
    }


def valid_inputs(known: Known) -> dict[str, dict[str, Any]]:
    """An input each mutation accepts (the record may refuse the change it asks for):
    the seeded ones, and more made with the seeded records."""
    app, contact, interest = (known.first(k) for k in ("Exhibitor", "Contact", "Interest"))
    event, endpoint = known.first("OutreachEvent"), known.first("WebhookEndpoint")
    consent = {"contactId": contact, "channel": "EMAIL", "purpose": "MARKETING"}
    implied = {"legalBasis": "IMPLIED", "impliedBy": "INQUIRY", "impliedSince": "2025-11-01"}
    money = {"applicationId": app, "amount": "100.00", "currency": "CNY"}
    return {
        **known.inputs,
        **_each("startReview approveApplication waitlistApplication", {"applicationId": app}),
        **_each("signContract confirmParticipation", {"applicationId": app}),
        **_each(
            "rejectApplication withdrawApplication cancelApplication",
            {"applicationId": app, "reason": "no"},
        ),
        **_exhibitor_edits(app),
        **_outreach_changes(known),
        "optInRecipient": {"address": "bo@port.example", "evidence": "asked by phone"},
        "issueContract": {**money, "dueDate": "2026-03-31"},
        "recordPayment": {**money, "reference": "r-1"},
        "assignBooth": {"applicationId": app, "hall": "N1", "boothCode": "N1-01"},
        "grantConsent": {**consent, **implied, "evidence": "asked about booths"},
        "withdrawConsent": {**consent, "reason": "asked to"},
        "recordRsvp": {"eventId": event, "contactId": contact, "accept": True},
        "recordAttendance": {"eventId": event, "contactId": contact, "attended": True},
        **_each("qualifyInterest convertInterest", {"interestId": interest}),
        "markInterestLost": {"interestId": interest, "reason": "went elsewhere"},
        "completeFollowUp": {"followUpId": known.first("FollowUp"), "outcome": "called"},
        **_each("disableWebhookEndpoint enableWebhookEndpoint", {"endpointId": endpoint}),
        **_each("rotateWebhookSecret deleteWebhookEndpoint", {"endpointId": endpoint}),
    }


def _exhibitor_edits(app: str) -> dict[str, dict[str, Any]]:
    contact = {"applicationId": app, "email": "bo@axles.example"}
    return {
        "updateExhibitorProfile": {"applicationId": app, "companyName": "Axles 2"},
        "addExhibitorContact": {**contact, "name": "Bo"},
        "removeExhibitorContact": contact,
        "setSupplyChainAreas": {"applicationId": app, "supplyChainAreas": ["SMART_VEHICLES"]},
        "setProductCategories": {"applicationId": app, "productCategories": ["axles"]},
    }


def _outreach_changes(known: Known) -> dict[str, dict[str, Any]]:
    """Merges name the record itself as the survivor (refused): a merged record would
    refuse every case after it."""
    org, contact, trip = (known.first(k) for k in ("Organization", "Contact", "Trip"))
    event, interest, follow_up = (known.first(k) for k in ("OutreachEvent", "Interest", "FollowUp"))
    stop = {"tripId": trip, "startsOn": "2025-12-08", "endsOn": "2025-12-09"}
    times = {"startsAt": "2025-12-08T17:00:00Z", "endsAt": "2025-12-08T19:00:00Z"}
    member = {"delegationId": known.first("Delegation"), "contactId": contact}
    return {
        "updateOrganization": {"organizationId": org, "name": "Port of Oakland"},
        "mergeOrganizations": {"organizationId": org, "survivorId": org},
        "updateContact": {"contactId": contact, "title": "CEO"},
        "linkContact": {"contactId": contact, "organizationId": org},
        "mergeContacts": {"contactId": contact, "survivorId": contact},
        "addNote": {"recordId": contact, "text": "met at the forum"},
        **_each("addDelegationMember removeDelegationMember", member),
        "addTripStop": {**stop, "city": "San Jose", "country": "US"},
        "rescheduleTripStop": {**stop, "stopIndex": 0},
        **_each("startTrip completeTrip", {"tripId": trip}),
        "cancelTrip": {"tripId": trip, "reason": "budget"},
        "rescheduleOutreachEvent": {"eventId": event, **times},
        "holdOutreachEvent": {"eventId": event},
        "cancelOutreachEvent": {"eventId": event, "reason": "venue"},
        "nurtureInterest": {"interestId": interest},
        "assignInterestOwner": {"interestId": interest, "owner": "staff:bo"},
        "rescheduleFollowUp": {"followUpId": follow_up, "dueAt": "2025-12-06T09:00:00Z"},
        "cancelFollowUp": {"followUpId": follow_up, "reason": "met already"},
    }


def _each(mutations: str, input: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: input for name in mutations.split()}


class _Sharpen(graphql.Visitor):
    """Puts the chosen values in place of the scalars generated for arguments and input
    fields of those names."""

    def __init__(self, chosen: dict[str, Any]) -> None:
        super().__init__()
        self.chosen = chosen

    def enter_argument(self, node: graphql.ArgumentNode, *_: Any) -> Any:
        return self._replace(node)

    def enter_object_field(self, node: graphql.ObjectFieldNode, *_: Any) -> Any:
        return self._replace(node)

    def _replace(self, node: Any) -> Any:
        value = self.chosen.get(node.name.value)
        scalar = (
            graphql.StringValueNode,
            graphql.IntValueNode,
            graphql.NullValueNode,
            graphql.ListValueNode,
        )
        if value is None or not isinstance(node.value, scalar):
            return None
        if isinstance(value, str):
            value = graphql.StringValueNode(value=value)
        return type(node)(name=node.name, value=value)


class _Seed(graphql.Visitor):
    """Most of the time, a mutation's input becomes a valid one with one or two of the
    generated fields in place of its own."""

    def __init__(
        self, rng: random.Random, valid: dict[str, graphql.ObjectValueNode], whole: bool
    ) -> None:
        super().__init__()
        self.rng, self.valid, self.whole = rng, valid, whole

    def enter_field(self, node: graphql.FieldNode, *_: Any) -> Any:
        valid = self.valid.get(node.name.value)
        generated = next((a for a in node.arguments or () if a.name.value == "input"), None)
        if valid is None or not isinstance(
            getattr(generated, "value", None), graphql.ObjectValueNode
        ):
            return graphql.SKIP
        fields = {f.name.value: f for f in generated.value.fields}
        if not self.whole and (not fields or self.rng.random() < 0.25):  # a quarter stays
            return graphql.SKIP
        k = 0 if self.whole else min(len(fields), self.rng.choice([1, 1, 2]))
        fuzzed = self.rng.sample(sorted(fields), k=k)
        merged = {**{f.name.value: f for f in valid.fields}, **{n: fields[n] for n in fuzzed}}
        value = graphql.ObjectValueNode(fields=tuple(merged.values()))
        input = graphql.ArgumentNode(name=generated.name, value=value)
        return graphql.FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=(input,),
            directives=node.directives,
            selection_set=node.selection_set,
        )


class Sharpener:
    """Makes schemathesis' case bodies sharper with what the seeded stack holds. Its
    choices are made before the case is drawn, with a Random of their own (see Pick)."""

    def __init__(self, known: Known) -> None:
        by_name, answerable = _by_name(known), _answerable(known)
        queries = SCHEMA.client_schema.query_type.fields.items()
        # `exhibitor(id:)`, `trip(id:)`: mostly ids of the kind the field returns
        kinds = {name: (graphql.get_named_type(f.type).name,) for name, f in queries}
        self.by_field = {n: {**by_name, "id": _ids(known, k)} for n, k in kinds.items()}
        self.answerable_by_field = {
            n: {**answerable, "id": _real(known, k)} for n, k in kinds.items()
        }
        self.by_name, self.answerable_by_name = by_name, answerable
        mutations = SCHEMA.client_schema.mutation_type
        assert mutations is not None
        self.valid = {
            name: graphql.ast_from_value(input, mutations.fields[name].args["input"].type)
            for name, input in valid_inputs(known).items()
        }

    def choices(self, operation: Any) -> st.SearchStrategy[dict[str, Any]]:
        """What to put in place of each argument or input field, by name (None: keep
        it), for `operation`, and the Random that picked them, for the rest."""
        definition = operation.definition
        by_name = self.by_field[definition.field_name] if definition.is_query else self.by_name
        return st.randoms(use_true_random=True).map(
            lambda r: {**{name: pick(r) for name, pick in by_name.items()}, RANDOM: r}
        )

    def answerable(self, operation: Any) -> dict[str, Any]:
        """The choices of a caller who gets everything right (a mutation's input: the
        valid one, whole): the case each operation must answer, as ADMIN."""
        definition, r = operation.definition, random.Random(0)
        if definition.is_query:
            by_name = self.answerable_by_field[definition.field_name]
        else:
            by_name = self.answerable_by_name
        return {**{name: pick(r) for name, pick in by_name.items()}, RANDOM: r, WHOLE: True}

    def __call__(self, body: str, chosen: dict[str, Any]) -> str:
        document = graphql.visit(graphql.parse(body), _Sharpen(chosen))
        # seeded after sharpening, so that the valid fields stay valid
        seed = _Seed(chosen[RANDOM], self.valid, whole=chosen.get(WHOLE, False))
        return graphql.print_ast(graphql.visit(document, seed))


# no argument's name: GraphQL names do not begin with "__"
RANDOM, WHOLE = "__random__", "__whole__"
