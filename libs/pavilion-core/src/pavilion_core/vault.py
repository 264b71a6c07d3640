"""The vault: a key per data subject, in a database of its own (crypto-shredding).

Every personal value Pavilion stores or publishes is sealed with its subject's key
(pavilion_core.personal); forgetting a subject deletes its key and records it as
forgotten, in one transaction, and from then on its values read as null everywhere:
in the event stores, on the topics, in any copy. A forgotten subject never gets a key
again. The owning services (exhibitors, outreach, notifications) issue keys; every
Pavilion process that reads events reads them.

Keys are fetched in bulk, one round trip per batch or command, and never kept: once
`forget` has returned, no process opens the subject's values again — not a late event
of another partition, not a rebuild — so what a consumer writes after forgetting holds
null where the person's data was. The vault down is a database outage like the event
store's (pavilion_core.outages): its errors are asyncpg's and the network's.

A person known only by an address gets a random subject per (scope, address): the
address is kept only as a keyed hash (`pseudonym`), and that row goes with the key.
"""

import hashlib
import hmac
import os
import uuid
from collections.abc import Callable, Iterable, Sequence
from functools import cache

from pavilion_core.db import Connection, MigrationSet, Pool, migrate, open_pool
from pavilion_core.secrets import secret

VAULT = MigrationSet("vault", "pavilion_core", "sql/vault")
PSEUDONYM_SECRET = "PAVILION_PSEUDONYM_SECRET"
KEY_BYTES = 32
# The vault's owner (or a superuser) keeps its tables current; a service's role, which
# may only use them, finds them made (deploy/compose/vault-database.sql).
_OWNS_IT = """SELECT pg_has_role(current_user, datdba, 'USAGE') FROM pg_database
              WHERE datname = current_database()"""
_LOCK = "SELECT pg_advisory_xact_lock(hashtextextended(s, 0)) FROM unnest($1::text[]) AS s"
# Keys made for the subjects that have none and are not forgotten, with those they
# have: run under the subjects' locks, the statement's snapshot (taken after them)
# sees every key and every forgetting of them committed before.
_ISSUE = """
WITH added AS (
    INSERT INTO subject_keys (subject, key)
    SELECT s, k FROM unnest($1::text[], $2::bytea[]) AS w(s, k)
    WHERE NOT EXISTS (SELECT FROM forgotten_subjects f WHERE f.subject = w.s)
    ON CONFLICT (subject) DO NOTHING
    RETURNING subject, key)
SELECT subject, key FROM added
UNION ALL
SELECT subject, key FROM subject_keys WHERE subject = ANY($1::text[])"""
_KEYS = "SELECT subject, key FROM subject_keys WHERE subject = ANY($1::text[])"
_PEOPLE = """
WITH wanted AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) AS w(scope, address_hash, subject)),
added AS (
    INSERT INTO person_subjects (scope, address_hash, subject) SELECT * FROM wanted
    ON CONFLICT (scope, address_hash) DO NOTHING RETURNING scope, address_hash, subject)
SELECT scope, address_hash, subject FROM added
UNION ALL
SELECT p.scope, p.address_hash, p.subject FROM person_subjects p JOIN wanted w
    USING (scope, address_hash)"""


def normalised_address(address: str) -> str:
    return address.strip().lower()


@cache
def pseudonym_key() -> bytes:
    """`PAVILION_PSEUDONYM_SECRET`, checked (pavilion_core.secrets): a process that
    writes personal values asks for it at start, so that a missing one stops it then."""
    return secret(PSEUDONYM_SECRET).encode()


def pseudonym(address: str) -> str:
    """A keyed hash (HMAC-SHA256, `PAVILION_PSEUDONYM_SECRET`) of the normalised
    address: stable, so it can name a stream or a Kafka key, and not the address."""
    digest = hmac.new(pseudonym_key(), normalised_address(address).encode(), hashlib.sha256)
    return digest.hexdigest()


async def open_vault(url: str, *, size: int = 5) -> "Vault":
    """The vault at `url` (pavilion_core.config.vault_url), its tables made if this
    role owns it."""
    pool = await open_pool(url, size=size, reset_sessions=False)  # none is left: xact locks
    async with pool.acquire() as conn:
        if await conn.fetchval(_OWNS_IT):
            await migrate(conn, VAULT)
    return Vault(pool)


People = dict[tuple[str, str], str]  # (scope, address) -> the person's subject


async def _issue(conn: Connection, subjects: Iterable[str]) -> dict[str, bytes]:
    if not (wanted := sorted(set(subjects))):
        return {}
    await conn.execute(_LOCK, wanted)  # against a forget of the same subject
    rows = await conn.fetch(_ISSUE, wanted, [os.urandom(KEY_BYTES) for _ in wanted])
    return {r["subject"]: bytes(r["key"]) for r in rows}


async def _people(conn: Connection, known: Iterable[tuple[str, str]]) -> People:
    wanted = {(scope, pseudonym(address)): (scope, address) for scope, address in known}
    if not wanted:
        return {}
    scopes, hashes = zip(*sorted(wanted), strict=True)
    fresh = [f"person:{uuid.uuid4()}" for _ in hashes]
    rows = await conn.fetch(_PEOPLE, list(scopes), list(hashes), fresh)
    return {wanted[(r["scope"], r["address_hash"])]: r["subject"] for r in rows}


class Vault:
    """Keys per subject, the forgotten subjects, and people's subjects."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool

    async def keys(self, subjects: Iterable[str]) -> dict[str, bytes]:
        """The keys of those `subjects` that have one (not the forgotten)."""
        if not (wanted := sorted(set(subjects))):
            return {}
        rows = await self.pool.fetch(_KEYS, wanted)
        return {r["subject"]: bytes(r["key"]) for r in rows}

    async def issue_for(
        self,
        known: Iterable[tuple[str, str]],
        subjects_of: Callable[[People], Sequence[str]],
    ) -> tuple[Sequence[str], dict[str, bytes]]:
        """The subject of each (scope, address) in `known`, made for those new to the
        vault; then the keys of the subjects `subjects_of` names given them, made for
        those that have none yet (a forgotten subject gets none: it is absent from the
        keys). One transaction, one commit: the subjects and their keys."""
        async with self.pool.acquire() as conn, conn.transaction():
            subjects = subjects_of(await _people(conn, known))
            return subjects, await _issue(conn, subjects)

    async def subjects_of(self, address: str) -> dict[str, str]:
        """Every subject the vault knows `address` by, with its scope (any scope)."""
        rows = await self.pool.fetch(
            """SELECT subject, scope FROM person_subjects WHERE address_hash = $1
               ORDER BY subject""",
            pseudonym(address),
        )
        return {r["subject"]: r["scope"] for r in rows}

    async def forget_person(self, scope: str, address: str) -> str | None:
        """Forget the person known by `address` in `scope` (an application's contact
        person: scope = the application id); returns their subject, None if the vault
        never knew them."""
        subject: str | None = await self.pool.fetchval(
            "SELECT subject FROM person_subjects WHERE scope = $1 AND address_hash = $2",
            scope,
            pseudonym(address),
        )
        if subject is not None:
            await self.forget(subject)
        return subject

    async def forget(self, subject: str) -> None:
        """Destroy the subject's key (and its person row), and never key it again."""
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(_LOCK, [subject])
            await conn.execute(
                "INSERT INTO forgotten_subjects (subject) VALUES ($1) ON CONFLICT DO NOTHING",
                subject,
            )
            await conn.execute("DELETE FROM subject_keys WHERE subject = $1", subject)
            await conn.execute("DELETE FROM person_subjects WHERE subject = $1", subject)

    async def forgotten(self, subject: str) -> bool:
        found = await self.pool.fetchval(
            "SELECT true FROM forgotten_subjects WHERE subject = $1", subject
        )
        return bool(found)

    async def ready(self) -> bool:
        return await self.pool.fetchval("SELECT true") is True

    async def close(self) -> None:
        await self.pool.close()
