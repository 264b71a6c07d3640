"""Personal values sealed with their subject's key (AES-256-GCM), and unsealed.

Where each event's personal values are and whose they are comes from the event
contracts (pavilion_contracts.personal, passed in as `Declaration`). A sealed value is
a JSON string that says what it is and whose it is:

    "pii:1:<subject>:<base64url(nonce || ciphertext)>"

the subject (`contact:<id>`, `person:<id>`, `record:<stream id>`) being the cipher's
associated data, and the plaintext the value's JSON. null stays null. A value whose
subject was forgotten reads as null; sealing for a forgotten subject stores null.

Events are sealed when appended (pgstore) and unsealed when an aggregate loads its
stream and when a consumer decodes a message (`decode_all`, the one decode path of the
consumer loop, the notifications agent and redrives): unseal first, then anything else
(upcasting) on plaintext.
"""

import base64
import copy
import json
import os
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pavilion_core.config import vault_url
from pavilion_core.envelope import CloudEvent, DecodeError, Headers, RecordedEvent, from_kafka
from pavilion_core.eventstore import StreamAppend
from pavilion_core.vault import Vault, normalised_address, open_vault, pseudonym_key

PREFIX = "pii:1:"
_SEALED = re.compile(r"^pii:1:(?P<subject>.+):(?P<blob>[A-Za-z0-9_-]+)$")
_NONCE = 12
ITEM = "[]"  # a path step into each item of an array (as pavilion_contracts.personal)
# per `<Type>.v<N>`: each personal value's path and its subject rule
Declaration = Mapping[str, Sequence[Mapping[str, Any]]]


class SealBroken(DecodeError):
    """A sealed value that its subject's key does not open: altered, or not ours."""


@dataclass
class _Spot:
    """One personal value in an event's data: `holder[key]`, in the event `root`."""

    root: dict[str, Any]
    holder: dict[str, Any]
    key: str
    rule: Any

    @property
    def value(self) -> Any:
        return self.holder[self.key]

    def ref(self, name: str) -> Any:
        """A property a rule names: in the value's holder, else at the event's top."""
        return self.holder[name] if name in self.holder else self.root.get(name)


async def open_sealer(own_database_url: str, declaration: Declaration, *, writes: bool) -> "Sealer":
    """The sealer of a process whose own database is `own_database_url`, on the vault
    beside it (pavilion_core.config.vault_url). A process that `writes` personal values
    needs the pseudonym secret: without one it stops here, at start."""
    if writes:
        pseudonym_key()
    return Sealer(await open_vault(vault_url(own_database_url)), declaration)


class Sealer:
    """Seals and unseals events' personal values through the vault."""

    def __init__(self, vault: Vault, declaration: Declaration) -> None:
        self.vault, self.declaration = vault, declaration

    async def close(self) -> None:
        await self.vault.close()

    async def seal_appends(self, appends: Sequence[StreamAppend]) -> list[StreamAppend]:
        """The same appends, every personal value sealed (keys made as needed)."""
        copies = [
            [(event, copy.deepcopy(dict(event.data))) for event in append.events]
            for append in appends
        ]
        await self._seal(
            [
                (append.stream_id, f"{event.type}.v{event.schema_version}", data)
                for append, events in zip(appends, copies, strict=True)
                for event, data in events
            ]
        )
        return [
            replace(append, events=[replace(event, data=data) for event, data in events])
            for append, events in zip(appends, copies, strict=True)
        ]

    async def unseal_recorded(self, events: Sequence[RecordedEvent]) -> list[RecordedEvent]:
        """The events with their personal values unsealed (a broken seal raises)."""
        datas = await self._unseal([(f"{e.type}.v{e.schema_version}", e.data) for e in events])
        unsealed = []
        for event, data in zip(events, datas, strict=True):
            if isinstance(data, SealBroken):
                raise data
            unsealed.append(replace(event, data=data))
        return unsealed

    async def decode_all(
        self, messages: Sequence[tuple[bytes | None, Headers]]
    ) -> list[CloudEvent | DecodeError]:
        """Each message as a CloudEvent with its personal values unsealed, or why it is
        not one (a DecodeError, e.g. a seal broken); one vault round trip for them all.
        The vault away raises."""
        decoded: list[CloudEvent | DecodeError] = []
        for value, headers in messages:
            try:
                decoded.append(from_kafka(value, headers))
            except DecodeError as exc:
                decoded.append(exc)
        good = [(i, e) for i, e in enumerate(decoded) if isinstance(e, CloudEvent)]
        datas = await self._unseal(
            [(f"{e.event_type}.v{e.schema_version}", e.data) for _, e in good]
        )
        for (i, event), data in zip(good, datas, strict=True):
            if isinstance(data, SealBroken) or data is not event.data:
                decoded[i] = data if isinstance(data, SealBroken) else replace(event, data=data)
        return decoded

    async def decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        (event,) = await self.decode_all([(value, headers)])
        if isinstance(event, DecodeError):
            raise event
        return event

    async def _seal(self, events: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
        """Seal in place each (stream id, `<Type>.v<N>`, data)."""
        spots = [
            (stream_id, spot)
            for stream_id, kind, data in events
            for spot in _spots(self.declaration.get(kind, ()), data)
        ]
        if not spots:
            return
        subjects, keys = await self.vault.issue_for(
            {p for _, s in spots if (p := _person(s))},
            lambda people: [_subject(spot, stream_id, people) for stream_id, spot in spots],
        )
        for (_, spot), subject in zip(spots, subjects, strict=True):  # subjects, then seal
            key = keys.get(subject)
            spot.holder[spot.key] = None if key is None else seal(key, subject, spot.value)

    async def _unseal(
        self, events: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[dict[str, Any] | SealBroken]:
        """Each event's data unsealed (a copy, if it holds sealed values; else the data
        itself), or the broken seal it holds."""
        copies = [_copy_if_sealed(self.declaration.get(kind, ()), data) for kind, data in events]
        spots = [
            (i, spot, match)
            for i, ((kind, data), unsealed) in enumerate(zip(events, copies, strict=True))
            if unsealed is not data
            for spot in _spots(self.declaration.get(kind, ()), unsealed)
            if isinstance(spot.value, str) and (match := _SEALED.match(spot.value))
        ]
        keys = await self.vault.keys({m["subject"] for _, _, m in spots}) if spots else {}
        broken: dict[int, SealBroken] = {}
        for i, spot, match in spots:
            key = keys.get(match["subject"])
            try:
                spot.holder[spot.key] = None if key is None else _open(key, match)
            except SealBroken as exc:
                broken[i] = exc
        return [broken.get(i, data) for i, data in enumerate(copies)]


def seal(key: bytes, subject: str, value: Any) -> str:
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(value).encode(), subject.encode())
    return f"{PREFIX}{subject}:{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def _open(key: bytes, match: re.Match[str]) -> Any:
    subject, blob = match["subject"], match["blob"]
    try:
        raw = base64.urlsafe_b64decode(blob + "=" * (-len(blob) % 4))
        plain = AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:], subject.encode())
        return json.loads(plain)
    except (InvalidTag, ValueError) as exc:
        raise SealBroken(f"a value sealed for {subject} does not open with its key") from exc


def _copy_if_sealed(rules: Sequence[Mapping[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """`data`, or a copy of it to unseal in place if it holds a sealed value (most
    events hold none: copying them all was a tenth of a consumer's time)."""
    for spot in _spots(rules, data):
        if isinstance(spot.value, str) and spot.value.startswith(PREFIX):
            return copy.deepcopy(data)
    return data


def _spots(rules: Sequence[Mapping[str, Any]], data: dict[str, Any]) -> Iterator[_Spot]:
    for rule in rules:
        *steps, last = rule["path"]
        for holder in _holders(data, steps):
            if holder.get(last) is not None:
                yield _Spot(data, holder, last, rule["subject"])


def _holders(node: Any, steps: Sequence[str]) -> Iterator[dict[str, Any]]:
    if not steps:
        if isinstance(node, dict):
            yield node
        return
    step, rest = steps[0], steps[1:]
    if step == ITEM and isinstance(node, list):
        for item in node:
            yield from _holders(item, rest)
    elif isinstance(node, dict) and step in node:
        yield from _holders(node[step], rest)


def _person(spot: _Spot) -> tuple[str, str] | None:
    rule = spot.rule.get("person") if isinstance(spot.rule, dict) else None
    if rule is None or not isinstance(address := spot.ref(rule["email"]), str):
        return None
    scope = spot.ref(rule["scope"]) if "scope" in rule else ""
    return str(scope or ""), normalised_address(address)


def _contact(spot: _Spot) -> str | None:
    """The contact whose value it is, if its rule says so and the event names them."""
    if isinstance(spot.rule, dict) and "contact" in spot.rule:
        if isinstance(contact := spot.ref(spot.rule["contact"]), str) and contact:
            return contact
    return None


def contacts_named(rules: Sequence[Mapping[str, Any]], data: dict[str, Any]) -> set[str]:
    """The contacts some of whose personal values `data` holds (`rules`: its event's
    declaration)."""
    return {c for spot in _spots(rules, data) if (c := _contact(spot)) is not None}


def without_contacts(
    rules: Sequence[Mapping[str, Any]], data: dict[str, Any], contacts: Collection[str]
) -> dict[str, Any]:
    """A copy of `data` with the personal values of `contacts` null, as if their key
    were gone: what a reader writes about a contact it knows to be forgotten."""
    erased = copy.deepcopy(data)
    for spot in list(_spots(rules, erased)):
        if _contact(spot) in contacts:
            spot.holder[spot.key] = None
    return erased


def erased_as_null(rules: Sequence[Mapping[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """`data` with each personal value that an erasure removed (a read model keeps only
    what is declared not personal of a forgotten person's entries) null again, as that
    event reads on the topics once the person's key is gone: a copy if any was removed,
    else `data` itself (copying every event was a fifth of a replay's CPU)."""
    if not any(_removed(rule["path"], data) for rule in rules):
        return data
    restored = copy.deepcopy(data)
    for rule in rules:
        *steps, last = rule["path"]
        for holder in _holders(restored, steps):
            holder.setdefault(last, None)
    return restored


def _removed(path: Sequence[str], data: dict[str, Any]) -> bool:
    *steps, last = path
    return any(last not in holder for holder in _holders(data, steps))


def _subject(spot: _Spot, stream_id: str, people: dict[tuple[str, str], str]) -> str:
    """The value's subject by its rule; a rule whose reference is missing falls back
    to the record's own subject (sealed all the same, never in the clear)."""
    if (contact := _contact(spot)) is not None:
        return f"contact:{contact}"
    if (person := _person(spot)) is not None and person in people:
        return people[person]
    return f"record:{stream_id}"
