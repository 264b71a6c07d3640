"""Bulk import of registrations from the organiser's spreadsheet (CSV).

    python -m exhibitors.importer FILE.csv [--edition CISCE-2026] [--api URL] [--report PATH]

Every row is validated with the command API's own rules before anything is sent;
valid rows are submitted through the API with an Idempotency-Key derived from the
row, so running the same file again adds nothing. Rows refused (here or by the
service) are written to a report with their reasons. Exit status: 0 when every row
was imported or already there, 1 when some were rejected, 2 when some could not be
sent at all.

Columns (header row, any order): company_name, country, supply_chain_areas (separated
by ";"), product_categories (";"), contact_name, contact_email, contact_phone,
organization_id, previous_editions, booth_size_sqm, and optionally edition.
"""

import argparse
import asyncio
import csv
import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pavilion_contracts.exhibitors.commands import SubmitApplication
from pavilion_core.service_tokens import service_client
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

LIST_SEPARATOR = ";"


@dataclass
class Outcome:
    imported: int = 0
    already_there: int = 0
    rejected: list[tuple[int, str, str]] = field(default_factory=list)  # row, company, reasons
    unsent: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 2 if self.unsent else 1 if self.rejected else 0

    def tell(
        self,
        console: Console,
        read: str,
        report: Path,
        header: tuple[str, str, str] = ("row", "company_name", "reasons"),
        refused: str = "rejected",
    ) -> None:
        """Write what was refused or not sent to `report` (under `header`) and say how it
        went: `read` counts what was read, `refused` names the refusals."""
        write_report(report, self.rejected + self.unsent, header)
        console.print(
            f"{read}: [green]{self.imported} imported[/], {self.already_there} already there, "
            f"[red]{len(self.rejected)} {refused}[/], {len(self.unsent)} not sent; "
            f"report: {report}"
        )


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        return [
            {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader
        ]


def to_command(row: dict[str, str], edition: str) -> dict[str, Any]:
    """The row as a submit-application body (still to be validated)."""

    def split(name: str) -> list[str]:
        return [item.strip() for item in row.get(name, "").split(LIST_SEPARATOR) if item.strip()]

    body: dict[str, Any] = {
        "edition": row.get("edition") or edition,
        "companyName": row.get("company_name", ""),
        "country": row.get("country", ""),
        "supplyChainAreas": [a.upper().replace(" ", "_") for a in split("supply_chain_areas")],
        "productCategories": split("product_categories"),
    }
    if row.get("contact_email") or row.get("contact_name"):
        body["contacts"] = [
            {
                "name": row.get("contact_name", ""),
                "email": row.get("contact_email", ""),
                "phone": row.get("contact_phone") or None,
            }
        ]
    for column, key in (
        ("organization_id", "organizationId"),
        ("previous_editions", "previousEditions"),
        ("booth_size_sqm", "boothSizeSqm"),
    ):
        if row.get(column):
            body[key] = row[column]
    return body


def validate(body: dict[str, Any]) -> str | None:
    """None when the body is a valid command, else the reasons, one per field."""
    try:
        SubmitApplication.model_validate(body)
    except ValidationError as exc:
        return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
    return None


def idempotency_key(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return f"import-{hashlib.sha256(canonical.encode()).hexdigest()[:32]}"


async def submit_all(
    client: httpx.AsyncClient,
    rows: list[dict[str, str]],
    edition: str,
    *,
    concurrency: int = 8,
    advance: Callable[[], None] = lambda: None,
) -> Outcome:
    outcome, seen = Outcome(), dict[tuple[str, str], int]()
    pending: list[tuple[int, str, dict[str, Any]]] = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        body = to_command(row, edition)
        company = body["companyName"]
        reasons = validate(body)
        identity = (
            body["edition"],
            body.get("organizationId") or " ".join(company.lower().split()),
        )
        if reasons is None and identity in seen:
            reasons = f"duplicate of row {seen[identity]}"
        seen.setdefault(identity, number)
        if reasons:
            outcome.rejected.append((number, company, reasons))
            advance()
        else:
            pending.append((number, company, body))
    gate = asyncio.Semaphore(concurrency)

    async def send(number: int, company: str, body: dict[str, Any]) -> None:
        async with gate:
            _count(outcome, number, company, await _post(client, body))
            advance()

    await asyncio.gather(*(send(*item) for item in pending))
    outcome.rejected.sort()
    return outcome


async def _post(client: httpx.AsyncClient, body: dict[str, Any]) -> httpx.Response | str:
    return await post_retried(
        client, "/applications", body, {"idempotency-key": idempotency_key(body)}
    )


async def post_retried(
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response | str:
    """The service's answer, or why there is none after three tries of the same request
    (it must be idempotent: its key in `headers` or its body)."""
    failure = ""
    for attempt in range(3):
        if attempt:
            await asyncio.sleep(0.5 * 2**attempt)
        try:
            response = await client.post(path, json=body, headers=headers)
        except httpx.TransportError as exc:
            failure = f"could not reach the service: {exc!r}"
            continue
        if response.status_code < 500:
            return response
        failure = f"the service failed: {response.status_code} {response.text[:200]}"
    return failure


def _count(outcome: Outcome, number: int, company: str, answer: httpx.Response | str) -> None:
    if isinstance(answer, str):
        outcome.unsent.append((number, company, answer))
    elif answer.status_code == 201:
        if answer.headers.get("idempotent-replayed") == "true":
            outcome.already_there += 1
        else:
            outcome.imported += 1
    elif answer.status_code == 409 and answer.json()["error"]["code"] == "DUPLICATE":
        outcome.already_there += 1
    else:
        outcome.rejected.append((number, company, reasons(answer)))


def reasons(answer: httpx.Response) -> str:
    """Why the service refused a request, one reason per field it names."""
    error = answer.json().get("error", {})
    fields = "; ".join(f"{'.'.join(f['field'])}: {f['message']}" for f in error.get("fields") or [])
    return fields or error.get("message", answer.text)


def write_report(
    path: Path,
    rows: Iterable[tuple[int, str, str]],
    header: tuple[str, str, str] = ("row", "company_name", "reasons"),
) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


async def run(path: Path, edition: str, api: str, report: Path, console: Console) -> Outcome:
    rows = read_rows(path)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(f"importing {path.name}", total=len(rows))
        async with service_client("exhibitors", api, actor="importer") as client:
            outcome = await submit_all(
                client, rows, edition, advance=lambda: progress.advance(task)
            )
    outcome.tell(console, f"{len(rows)} rows", report)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exhibitors.importer",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--edition", default="CISCE-2026", help="for rows without an edition")
    parser.add_argument("--api", default="http://127.0.0.1:8001", help="the exhibitors API")
    parser.add_argument("--report", type=Path, help="default: FILE with .rejected.csv")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        parser.error(f"no such file: {args.file}")
    report = args.report or args.file.with_suffix(".rejected.csv")
    outcome = asyncio.run(run(args.file, args.edition, args.api, report, Console(stderr=True)))
    return outcome.exit_code


if __name__ == "__main__":
    sys.exit(main())
